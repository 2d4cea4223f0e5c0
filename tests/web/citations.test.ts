import type { Citation } from '../../client';
import { toStoredCitation } from '../../functions/shared/conversation-store';
import { footnote, readCitations } from '../../web/src/citations';
import { citationMarker } from '../../web/src/markdown';

const ANSWER = 'Restart the client first. If packets fragment, lower the MTU to 1380.';
const ENGINE: Citation[] = [
  {
    text: 'Restart the client first.',
    span: { start: 0, end: 25 },
    references: [
      { uri: 'https://wiki.example.com/vpn', sourceType: 'WEB', text: 'Restart the VPN client…' },
      { uri: 's3://kass-docs/documents/raw/vpn-mtu.md', sourceType: 'S3', text: 'MTU 1380…' },
    ],
  },
  {
    text: 'If packets fragment, lower the MTU to 1380.',
    span: { start: 26, end: 69 },
    references: [
      { uri: 's3://kass-docs/documents/raw/vpn-mtu.md', sourceType: 'S3', text: 'Lower the MTU…' },
    ],
  },
];

describe('Function: readCitations + footnote', () => {
  it('numbers sources in order of first citation and puts markers after the cited text', () => {
    const { text, footnotes } = footnote(ANSWER, readCitations(ENGINE));
    expect(text).toBe(
      `Restart the client first.${citationMarker(1)}${citationMarker(2)} If packets fragment, lower the MTU to 1380.${citationMarker(2)}`,
    );
    expect(footnotes).toEqual([
      {
        n: 1,
        href: 'https://wiki.example.com/vpn',
        label: 'https://wiki.example.com/vpn',
        excerpts: ['Restart the VPN client…'],
      },
      {
        n: 2,
        label: 'vpn-mtu.md',
        address: 's3://kass-docs/documents/raw/vpn-mtu.md',
        excerpts: ['MTU 1380…', 'Lower the MTU…'],
      },
    ]);
  });

  it('reads stored citations (GET /conversations/{id}) the same way', () => {
    const stored = ENGINE.map(toStoredCitation);
    const fromStore = footnote(ANSWER, readCitations(stored));
    const fromFrame = footnote(ANSWER, readCitations(ENGINE));
    expect(fromStore.text).toBe(fromFrame.text);
    expect(fromStore.footnotes.map(({ n, href, label }) => ({ n, href, label }))).toEqual(
      fromFrame.footnotes.map(({ n, href, label }) => ({ n, href, label })),
    );
  });

  it('falls back to searching for the cited text, then to the end, when the span does not match', () => {
    const moved = readCitations([{ ...ENGINE[1], span: { start: 0, end: 3 } }]);
    expect(footnote(ANSWER, moved).text).toBe(`${ANSWER}${citationMarker(1)}`);
    const missing = readCitations([
      { text: 'not in the answer', references: [{ uri: 'https://x.example.com' }] },
    ]);
    expect(footnote(ANSWER, missing).text).toBe(`${ANSWER}${citationMarker(1)}`);
  });

  it('never turns a non-http source into a link, and drops unreadable entries', () => {
    const { footnotes } = footnote(
      'a',
      readCitations([
        {
          text: 'a',
          references: [{ uri: 'javascript:alert(1)' }, { sourceType: 'CUSTOM', text: 'passage' }],
        },
        'junk',
        null,
        { references: 'nope' },
      ]),
    );
    expect(footnotes).toEqual([
      { n: 1, label: 'javascript:alert(1)', address: 'javascript:alert(1)', excerpts: [] },
      { n: 2, label: 'CUSTOM without an address', excerpts: ['passage'] },
    ]);
    expect(readCitations('not an array')).toEqual([]);
  });
});
