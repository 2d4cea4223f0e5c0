import fc from 'fast-check';
import {
  chunkTranscript,
  MIN_BUDGET,
  mergePlan,
  SEPARATOR,
  splitOversized,
  splitParagraphs,
} from '../../../action-groups/summarize/chunking';

describe('Function: chunkTranscript', () => {
  it('keeps everything in one chunk when it fits', () => {
    // Act
    const chunks = chunkTranscript(['a'.repeat(40), 'b'.repeat(40)], 100);

    // Assess
    expect(chunks).toHaveLength(1);
    expect(chunks[0]?.text).toBe(`${'a'.repeat(40)}${SEPARATOR}${'b'.repeat(40)}`);
  });

  it('cuts between messages, counting the separator', () => {
    // Prepare: two messages of 49 fit in 100 (49 + 2 + 49), a third does not
    const messages = ['a'.repeat(49), 'b'.repeat(49), 'c'.repeat(49)];

    // Act
    const chunks = chunkTranscript(messages, 100);

    // Assess
    expect(chunks.map((c) => c.pieces.map((p) => p.message))).toEqual([[0, 1], [2]]);
    expect(chunks.every((c) => c.pieces.every((p) => p.part === undefined))).toBe(true);
  });

  it('cuts a message longer than the budget on line breaks, in order', () => {
    // Prepare
    const long = Array.from({ length: 10 }, (_, i) => `line ${i} ${'x'.repeat(20)}`).join('\n');

    // Act
    const chunks = chunkTranscript(['before', long, 'after'], 64);

    // Assess
    const parts = chunks.flatMap((c) => c.pieces).filter((p) => p.message === 1);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.map((p) => p.text).join('')).toBe(long);
    expect(parts.map((p) => p.part)).toEqual(parts.map((_, i) => ({ index: i + 1, of: parts.length })));
    expect(parts.slice(0, -1).every((p) => p.text.endsWith('\n'))).toBe(true);
    expect(chunks.every((c) => c.text.length <= 64)).toBe(true);
  });

  it('returns no chunk for no message', () => {
    expect(chunkTranscript([], 100)).toEqual([]);
  });

  it.each([0, 15, 100.5, Number.NaN])('rejects the budget %p', (budget) => {
    expect(() => chunkTranscript(['a'], budget)).toThrow(RangeError);
  });

  it('property: every message appears once, in order; no chunk exceeds the budget; cuts only oversized messages', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 120, unit: fc.constantFrom('a', 'b', ' ', '\n', 'é', '😀') }), {
          maxLength: 30,
        }),
        fc.integer({ min: MIN_BUDGET, max: 200 }),
        (messages, budget) => {
          // Act
          const chunks = chunkTranscript(messages, budget);

          // Assess: sizes
          for (const chunk of chunks) {
            expect(chunk.text.length).toBeLessThanOrEqual(budget);
            expect(chunk.text).toBe(chunk.pieces.map((p) => p.text).join(SEPARATOR));
            expect(chunk.pieces.length).toBeGreaterThan(0);
          }
          // Assess: order and completeness (pieces of a message concatenate back to it)
          const pieces = chunks.flatMap((c) => c.pieces);
          const order = pieces.map((p) => p.message);
          expect(order).toEqual([...order].sort((a, b) => a - b));
          messages.forEach((message, index) => {
            const own = pieces.filter((p) => p.message === index);
            expect(own.map((p) => p.text).join('')).toBe(message);
            // A message is cut only when it alone exceeds the budget.
            if (message.length <= budget) expect(own).toHaveLength(1);
          });
          // Assess: no chunk boundary inside a message that fits
          for (const chunk of chunks) {
            for (const piece of chunk.pieces) {
              if (piece.part) expect(messages[piece.message]?.length).toBeGreaterThan(budget);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('property: greedy packing, so the next message never fit in the previous chunk', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ minLength: 1, maxLength: 40 }), { maxLength: 30 }),
        fc.integer({ min: 40, max: 150 }),
        (messages, budget) => {
          const chunks = chunkTranscript(messages, budget);
          for (let i = 1; i < chunks.length; i++) {
            const previous = chunks[i - 1]?.text ?? '';
            const first = chunks[i]?.pieces[0]?.text ?? '';
            expect(previous.length + SEPARATOR.length + first.length).toBeGreaterThan(budget);
          }
        },
      ),
    );
  });
});

describe('Function: splitOversized', () => {
  it('never splits a surrogate pair', () => {
    // Prepare: 15 ASCII characters then emoji, so a hard cut at 16 would fall inside a pair
    const text = `${'a'.repeat(15)}${'😀'.repeat(10)}`;

    // Act
    const pieces = splitOversized(text, 16);

    // Assess
    expect(pieces.join('')).toBe(text);
    const lone = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
    for (const piece of pieces) expect(piece).not.toMatch(lone);
  });

  it('prefers a word boundary to a hard cut', () => {
    expect(splitOversized('alpha beta gamma delta epsilon', 20)).toEqual([
      'alpha beta gamma ',
      'delta epsilon',
    ]);
  });
});

describe('Function: mergePlan', () => {
  it('puts all partials in one group when they fit', () => {
    expect(mergePlan(['a'.repeat(30), 'b'.repeat(30), 'c'.repeat(30)], 100)).toEqual([
      ['a'.repeat(30), 'b'.repeat(30), 'c'.repeat(30)],
    ]);
  });

  it('groups consecutive partials within the budget', () => {
    const partials = ['a'.repeat(40), 'b'.repeat(40), 'c'.repeat(40), 'd'.repeat(40)];
    expect(mergePlan(partials, 90)).toEqual([partials.slice(0, 2), partials.slice(2)]);
  });

  it('pairs partials that do not fit together, so each round shrinks the list', () => {
    const partials = ['a'.repeat(60), 'b'.repeat(60), 'c'.repeat(60)];
    expect(mergePlan(partials, 100)).toEqual([partials.slice(0, 2), partials.slice(2)]);
  });

  it('property: keeps every partial once, in order, and shrinks the list', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 80 }), { minLength: 2, maxLength: 20 }),
        fc.integer({ min: MIN_BUDGET, max: 200 }),
        (partials, budget) => {
          const groups = mergePlan(partials, budget);
          expect(groups.flat()).toEqual(partials);
          expect(groups.length).toBeLessThan(partials.length);
        },
      ),
    );
  });
});

describe('Function: splitParagraphs', () => {
  it('splits on blank lines and drops empty paragraphs', () => {
    expect(splitParagraphs('\n\nFirst line\nsecond line\n\n  \n\n  Indented\r\n\r\nLast  \n')).toEqual([
      'First line\nsecond line',
      '  Indented',
      'Last',
    ]);
  });

  it('finds nothing in blank text', () => {
    expect(splitParagraphs(' \n\t\n ')).toEqual([]);
  });
});
