import fc from 'fast-check';
import {
  type Block,
  citationMarker,
  type Inline,
  inlineText,
  parseInline,
  parseMarkdown,
  safeHref,
  stripMarkers,
} from '../../web/src/markdown';

/** Every inline node of a tree. */
function inlines(blocks: readonly Block[]): Inline[] {
  const out: Inline[] = [];
  const walk = (nodes: readonly Inline[]) => {
    for (const n of nodes) {
      out.push(n);
      if ('c' in n) walk(n.c);
    }
  };
  for (const b of blocks) {
    if (b.t === 'p' || b.t === 'h') walk(b.c);
    else if (b.t === 'list') for (const item of b.items) out.push(...inlines(item));
    else if (b.t === 'quote') out.push(...inlines(b.c));
    else if (b.t === 'table') for (const cell of [...b.head, ...b.rows.flat()]) walk(cell);
  }
  return out;
}

describe('Function: parseMarkdown', () => {
  it('reads paragraphs, headings, fenced code, lists, quotes, rules and tables', () => {
    const blocks = parseMarkdown(
      [
        '## Steps',
        '',
        'Restart the **client**, then check the `MTU`.',
        '',
        '1. Quit it.',
        '2. Start it.',
        '',
        '- one',
        '- two',
        '',
        '```bash',
        'ping -M do -s 1372 vpn.example.com',
        '<script>alert(1)</script>',
        '```',
        '',
        '> quoted',
        '',
        '---',
        '',
        '| Name | Size |',
        '| :--- | ---: |',
        '| a | 1 |',
      ].join('\n'),
    );
    expect(blocks.map((b) => b.t)).toEqual(['h', 'p', 'list', 'list', 'code', 'quote', 'hr', 'table']);
    expect(blocks[0]).toEqual({ t: 'h', level: 2, c: [{ t: 'text', v: 'Steps' }] });
    expect(blocks[1]).toEqual({
      t: 'p',
      c: [
        { t: 'text', v: 'Restart the ' },
        { t: 'strong', c: [{ t: 'text', v: 'client' }] },
        { t: 'text', v: ', then check the ' },
        { t: 'code', v: 'MTU' },
        { t: 'text', v: '.' },
      ],
    });
    expect(blocks[2]).toMatchObject({ t: 'list', ordered: true, start: 1 });
    expect(blocks[4]).toEqual({
      t: 'code',
      lang: 'bash',
      v: 'ping -M do -s 1372 vpn.example.com\n<script>alert(1)</script>',
    });
    expect(blocks[7]).toMatchObject({ t: 'table', align: ['left', 'right'] });
  });

  it('renders a code fence that is still streaming as code so far', () => {
    expect(parseMarkdown('Run:\n\n```sh\nnpm ci')).toEqual([
      { t: 'p', c: [{ t: 'text', v: 'Run:' }] },
      { t: 'code', lang: 'sh', v: 'npm ci' },
    ]);
  });

  it('keeps HTML as text: no node can become markup', () => {
    const nodes = inlines(parseMarkdown('<img src=x onerror=alert(1)> <b>bold</b>'));
    expect(nodes).toEqual([{ t: 'text', v: '<img src=x onerror=alert(1)> <b>bold</b>' }]);
  });

  it('does not treat snake_case as emphasis', () => {
    expect(parseInline('set max_retry_count to 3')).toEqual([{ t: 'text', v: 'set max_retry_count to 3' }]);
  });
});

describe('Function: links', () => {
  it.each([
    ['[docs](https://example.com/a?b=1)', 'https://example.com/a?b=1'],
    ['see https://example.com/x.', 'https://example.com/x'],
    ['<http://intranet.example.com/wiki>', 'http://intranet.example.com/wiki'],
  ])('links %s to %s', (markdown, href) => {
    expect(inlines(parseMarkdown(markdown)).find((n) => n.t === 'link')).toMatchObject({ href });
  });

  it.each([
    '[click](javascript:alert(1))',
    '[x](JaVaScRiPt:alert(1))',
    '[x](data:text/html;base64,PHNjcmlwdD4=)',
    '[x](vbscript:msgbox)',
    '[x](//evil.example.com)',
    '[x](/relative/path)',
    '[x](file:///etc/passwd)',
  ])('keeps %s as text', (markdown) => {
    const nodes = inlines(parseMarkdown(markdown));
    expect(nodes.some((n) => n.t === 'link')).toBe(false);
    expect(inlineText(nodes.filter((n) => n.t === 'text'))).toContain('x'.length > 0 ? '' : '');
  });

  it('never produces a link that is not http(s), whatever the input (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.string(),
            fc.constantFrom(
              '[',
              ']',
              '(',
              ')',
              '<',
              '>',
              'javascript:',
              'https://',
              'data:',
              '*',
              '_',
              '`',
              '\n',
              ' ',
            ),
          ),
          { maxLength: 40 },
        ),
        (parts) => {
          for (const node of inlines(parseMarkdown(parts.join('')))) {
            if (node.t === 'link') expect(node.href).toMatch(/^https?:\/\//);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('safeHref accepts only absolute http(s) URLs', () => {
    expect(safeHref('https://example.com')).toBe('https://example.com/');
    expect(safeHref(' javascript:alert(1)')).toBeUndefined();
    expect(safeHref('https://')).toBeUndefined();
  });
});

describe('Function: citation markers', () => {
  it('become footnote references and are stripped for copying', () => {
    const text = `Restart the client.${citationMarker(1)}${citationMarker(2)}`;
    expect(parseInline(text)).toEqual([
      { t: 'text', v: 'Restart the client.' },
      { t: 'cite', n: 1 },
      { t: 'cite', n: 2 },
    ]);
    expect(stripMarkers(text)).toBe('Restart the client.');
  });
});
