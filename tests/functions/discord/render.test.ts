import fc from 'fast-check';
import type { Citation } from '../../../client';
import { parseConfirmButtonId } from '../../../functions/discord/commands';
import { clip, MAX_MESSAGE_CHARS } from '../../../functions/discord/messages';
import {
  answerText,
  renderAnswer,
  sourceLabel,
  splitText,
  unmaskLinks,
} from '../../../functions/discord/render';
import type { ConfirmationView } from '../../../functions/shared/confirmation-view';

const VIEW: ConfirmationView = {
  id: '0f8e6c1a-2b3d-4e5f-8a9b-0c1d2e3f4a5b',
  tool: 'report',
  operation: { method: 'POST', path: '/tickets', operationId: 'createTicket' },
  inputs: { parameters: {}, body: { title: 'VPN drops', severity: 'high' } },
  prompt: 'Run report createTicket with title=VPN drops, severity=high?',
  expiresAt: '2026-03-01T10:25:30.000Z',
};
const ASKER = '1011122233344455566';

/** Text with paragraphs, long words, code blocks, mentions, links and astral characters. */
const richText = fc
  .array(
    fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.string({ minLength: 500, maxLength: 3000, unit: fc.constantFrom('a', 'b', 'c') }),
      fc.constantFrom(
        '\n',
        '\n\n',
        ' ',
        '```',
        '```ts\nconst x = 1;\n',
        '@everyone',
        '<@&123456789012345678>',
      ),
      fc.constantFrom('[click](https://evil.example/x)', '😀', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢', 'https://docs.example.com/a b'),
    ),
    { maxLength: 40 },
  )
  .map((parts) => parts.join(''));

const isLoneSurrogate = (s: string): boolean =>
  /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);

describe('Discord message rendering', () => {
  describe('Function: splitText (property)', () => {
    it('never yields a piece over 2,000 characters, an empty piece, or a split surrogate pair', () => {
      fc.assert(
        fc.property(richText, (text) => {
          const pieces = splitText(text);
          for (const piece of pieces) {
            expect(piece.length).toBeLessThanOrEqual(MAX_MESSAGE_CHARS);
            expect(piece.trim().length).toBeGreaterThan(0);
            if (!isLoneSurrogate(text)) expect(isLoneSurrogate(piece)).toBe(false);
          }
        }),
        { numRuns: 300 },
      );
    });

    it('loses no text: without code blocks the pieces hold every non-space character in order', () => {
      fc.assert(
        fc.property(
          richText.filter((t) => !t.includes('`')),
          (text) => {
            const squash = (s: string) => s.replace(/\s+/g, '');
            expect(squash(splitText(text).join(''))).toBe(squash(text));
          },
        ),
        { numRuns: 200 },
      );
    });

    it('closes a code block cut in two and reopens it in the next piece', () => {
      const code = `\`\`\`\n${'const value = 1;\n'.repeat(200)}\`\`\``;
      const pieces = splitText(`Here is the script:\n\n${code}`);
      expect(pieces.length).toBeGreaterThan(1);
      for (const piece of pieces) expect((piece.match(/```/g) ?? []).length % 2).toBe(0);
    });

    it('cuts at a paragraph boundary when one is near the limit', () => {
      const first = 'a'.repeat(1500);
      const second = 'b'.repeat(1000);
      expect(splitText(`${first}\n\n${second}`)).toEqual([first, second]);
    });

    it('leaves a text at the limit whole and splits one character past it', () => {
      expect(splitText('x'.repeat(2000))).toHaveLength(1);
      expect(splitText('x'.repeat(2001)).map((p) => p.length)).toEqual([1996, 5]);
    });
  });

  describe('Function: renderAnswer (property)', () => {
    it('keeps every message within 2,000 characters and within the message budget, buttons on the last', () => {
      fc.assert(
        fc.property(
          richText,
          fc.integer({ min: 1, max: 10 }),
          fc.boolean(),
          (answer, maxMessages, confirm) => {
            const messages = renderAnswer({
              answer,
              citations: [],
              maxMessages,
              ...(confirm ? { confirmation: { view: VIEW, askerId: ASKER } } : {}),
            });
            expect(messages.length).toBeGreaterThanOrEqual(1);
            expect(messages.length).toBeLessThanOrEqual(Math.max(maxMessages, confirm ? 2 : 1));
            for (const m of messages) expect(m.content.length).toBeLessThanOrEqual(MAX_MESSAGE_CHARS);
            const withButtons = messages.filter((m) => m.components);
            expect(withButtons.length).toBe(confirm ? 1 : 0);
            if (confirm) expect(messages.at(-1)?.components).toBeDefined();
          },
        ),
        { numRuns: 300 },
      );
    });
  });

  it('splits a 4,500-character answer into three messages and trims past the budget with a note', () => {
    const answer = Array.from({ length: 45 }, (_, i) => `Paragraph ${i}: ${'word '.repeat(18)}`).join('\n\n');
    expect(renderAnswer({ answer, citations: [], maxMessages: 4 })).toHaveLength(3);
    const trimmed = renderAnswer({ answer, citations: [], maxMessages: 2 });
    expect(trimmed).toHaveLength(2);
    expect(trimmed[1]?.content).toMatch(
      /_\(Answer trimmed here: it is longer than I can post\. Ask for a shorter version\.\)_$/,
    );
  });

  it('numbers cited sources after the cited text and lists them, web pages as links, S3 objects by name', () => {
    const citations: Citation[] = [
      {
        text: 'Reinstall the client.',
        span: { start: 0, end: 21 },
        references: [{ uri: 's3://kass-docs/documents/raw/vpn-runbook.md' }],
      },
      {
        text: 'Then sign in again.',
        span: { start: 22, end: 41 },
        references: [{ uri: 'https://wiki.example.com/it/VPN%20setup?x=1' }],
      },
    ];
    expect(answerText('Reinstall the client. Then sign in again.', citations)).toBe(
      'Reinstall the client. [1] Then sign in again. [2]\n\n**Sources**\n' +
        '[1] `vpn-runbook.md`\n[2] [VPN setup](<https://wiki.example.com/it/VPN%20setup?x=1>)',
    );
  });

  it('shows where a link written by the agent really goes', () => {
    expect(unmaskLinks('See [the runbook](https://evil.example/login) now')).toBe(
      'See the runbook (<https://evil.example/login>) now',
    );
    expect(unmaskLinks('An [aside] (not a link)')).toBe('An [aside] (not a link)');
  });

  it('labels a source without an address by its kind', () => {
    expect(sourceLabel(undefined, '(WEB source without an address)')).toBe('(WEB source without an address)');
  });

  it('asks for the confirmation with buttons only the asker can use', () => {
    const [message] = renderAnswer({
      answer: 'I can open a ticket for that.',
      citations: [],
      confirmation: { view: VIEW, askerId: ASKER },
      maxMessages: 4,
    });
    expect(message?.content).toBe(
      'I can open a ticket for that.\n\n**Confirm?** Run report createTicket with title=VPN drops, severity=high?\n' +
        `Only <@${ASKER}> can answer, until <t:1772360730:t>.`,
    );
    const row = (message?.components?.[0] ?? {}) as {
      type: number;
      components: { custom_id: string; label: string; style: number }[];
    };
    expect(row.type).toBe(1);
    expect(row.components.map((b) => [b.label, b.style, parseConfirmButtonId(b.custom_id)])).toEqual([
      ['Confirm', 3, { confirmationId: VIEW.id, askerId: ASKER, confirm: true }],
      ['Cancel', 4, { confirmationId: VIEW.id, askerId: ASKER, confirm: false }],
    ]);
    for (const b of row.components) expect(b.custom_id.length).toBeLessThanOrEqual(100);
  });

  it('clips without splitting a surrogate pair', () => {
    const text = `${'a'.repeat(1998)}😀😀`;
    const clipped = clip(text);
    expect(clipped.length).toBeLessThanOrEqual(2000);
    expect(isLoneSurrogate(clipped)).toBe(false);
  });
});
