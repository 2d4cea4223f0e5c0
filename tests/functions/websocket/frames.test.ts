import fc from 'fast-check';
import type { Citation } from '../../../client';
import type { ServerFrame } from '../../../functions/websocket/events';
import {
  boundCitations,
  CITATION_LIMITS,
  chunkFrames,
  finalFrames,
  frameBytes,
  MAX_FRAME_BYTES,
} from '../../../functions/websocket/frames';

const CONV = 'conv-7f3a9c';

/** An answer that makes the single final frame (no citations) exactly `bytes` long. */
function answerForFinalOf(bytes: number): string {
  const empty = frameBytes({ type: 'final', conversationId: CONV, answer: '', citations: [] });
  return 'a'.repeat(bytes - empty);
}

const citation = (i: number, excerpt = 'x'.repeat(1_000)): Citation => ({
  text: `Sentence ${i}.`,
  span: { start: i, end: i + 10 },
  references: [
    { uri: `s3://docs/documents/runbook-${i}.md`, text: excerpt, metadata: { title: `Runbook ${i}` } },
  ],
});

describe('Module: websocket frames (API Gateway’s 128 KB message limit)', () => {
  it('limits frames to 128 KB, counted in bytes', () => {
    expect(MAX_FRAME_BYTES).toBe(131_072);
    expect(frameBytes({ type: 'chunk', conversationId: CONV, seq: 0, text: 'é' })).toBe(
      JSON.stringify({ type: 'chunk', conversationId: CONV, seq: 0, text: 'é' }).length + 1,
    );
  });

  describe('Function: finalFrames', () => {
    it('sends one final frame of exactly 128 KB as it is', () => {
      // Prepare
      const answer = answerForFinalOf(MAX_FRAME_BYTES);

      // Act
      const frames = finalFrames(CONV, answer, []);

      // Assess
      expect(frames).toEqual([{ type: 'final', conversationId: CONV, answer, citations: [] }]);
      expect(frameBytes(frames[0] as ServerFrame)).toBe(MAX_FRAME_BYTES);
    });

    it('one byte past it, the final frame leaves the answer to the chunk frames', () => {
      // Act
      const frames = finalFrames(CONV, answerForFinalOf(MAX_FRAME_BYTES + 1), []);

      // Assess
      expect(frames).toEqual([{ type: 'final', conversationId: CONV, answerInChunks: true, citations: [] }]);
    });

    it('puts citations that do not fit beside the answer in citations frames before the final one', () => {
      // Prepare: 600 citations, each about 450 bytes bounded (~270 KB)
      const citations = Array.from({ length: 600 }, (_, i) => citation(i));

      // Act
      const frames = finalFrames(CONV, 'The answer.', citations);

      // Assess
      expect(frames.length).toBeGreaterThan(2);
      for (const f of frames) expect(frameBytes(f)).toBeLessThanOrEqual(MAX_FRAME_BYTES);
      const parts = frames.slice(0, -1);
      expect(parts.every((f) => f.type === 'citations')).toBe(true);
      expect(frames.at(-1)).toEqual({
        type: 'final',
        conversationId: CONV,
        answer: 'The answer.',
        citations: [],
        citationFrames: parts.length,
      });
      const delivered = parts.flatMap((f) => (f.type === 'citations' ? f.citations : []));
      expect(delivered).toEqual(boundCitations(citations));
    });
  });

  describe('Function: boundCitations', () => {
    it('keeps address, title and a short excerpt of each source, never more', () => {
      // Act
      const [bounded] = boundCitations([
        {
          text: 'cited',
          span: { start: 0, end: 5 },
          references: [{ uri: `s3://b/${'u'.repeat(5_000)}`, text: '😀'.repeat(1_000) }],
        },
      ]);

      // Assess
      expect(Array.from(bounded?.uri ?? '')).toHaveLength(CITATION_LIMITS.uriChars);
      expect(Array.from(bounded?.excerpt ?? '')).toHaveLength(CITATION_LIMITS.excerptChars);
      expect(bounded?.excerpt.endsWith('😀…')).toBe(true);
      expect(bounded?.title).toHaveLength(CITATION_LIMITS.titleChars);
      expect(boundCitations([citation(3)])[0]).toMatchObject({
        title: 'Runbook 3',
        span: { start: 3, end: 13 },
      });
    });
  });

  describe('Function: chunkFrames', () => {
    it('sends a piece whose frame is exactly 128 KB as one frame, and splits one a byte longer', () => {
      // Prepare
      const empty = frameBytes({ type: 'chunk', conversationId: CONV, seq: 4, text: '' });
      const fits = 'b'.repeat(MAX_FRAME_BYTES - empty);

      // Act
      const one = chunkFrames(CONV, 4, fits);
      const two = chunkFrames(CONV, 4, `${fits}b`);

      // Assess
      expect(one).toEqual([{ type: 'chunk', conversationId: CONV, seq: 4, text: fits }]);
      expect(two.map((f) => f.seq)).toEqual([4, 5]);
      expect(two.map((f) => f.text).join('')).toBe(`${fits}b`);
      for (const f of two) expect(frameBytes(f)).toBeLessThanOrEqual(MAX_FRAME_BYTES);
    });

    it('splits any text into frames within the limit that join back to it, in order (property)', () => {
      fc.assert(
        fc.property(
          fc.string({ unit: 'grapheme', maxLength: 400 }),
          fc.integer({ min: 120, max: 400 }),
          fc.nat(1_000),
          (text, maxBytes, seq) => {
            const frames = chunkFrames(CONV, seq, text, maxBytes);
            expect(frames.map((f) => f.text).join('')).toBe(text);
            expect(frames.map((f) => f.seq)).toEqual(frames.map((_, i) => seq + i));
            for (const f of frames) expect(frameBytes(f)).toBeLessThanOrEqual(maxBytes);
          },
        ),
      );
    });
  });
});
