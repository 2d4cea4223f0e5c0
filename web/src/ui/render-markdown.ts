import type { Block, Inline } from '../markdown';
import { h } from './dom';

/** Where a footnote reference points, per footnote number (`#fn-<message>-<n>`). */
export type FootnoteTarget = (n: number) => string;

function inline(nodes: readonly Inline[], target: FootnoteTarget): Node[] {
  return nodes.map((node): Node => {
    switch (node.t) {
      case 'text':
        return document.createTextNode(node.v);
      case 'code':
        return h('code', { text: node.v });
      case 'strong':
        return h('strong', {}, ...inline(node.c, target));
      case 'em':
        return h('em', {}, ...inline(node.c, target));
      case 'del':
        return h('del', {}, ...inline(node.c, target));
      case 'br':
        return h('br');
      case 'link':
        return h(
          'a',
          { href: node.href, target: '_blank', rel: 'noopener noreferrer nofollow' },
          ...inline(node.c, target),
        );
      default:
        return h(
          'sup',
          { class: 'cite' },
          h('a', { href: target(node.n), 'aria-label': `Source ${node.n}` }, `[${node.n}]`),
        );
    }
  });
}

function block(node: Block, target: FootnoteTarget, shift = 3): Node {
  switch (node.t) {
    case 'p':
      return h('p', {}, ...inline(node.c, target));
    case 'h':
      return h(`h${Math.max(4, Math.min(6, node.level + shift))}` as 'h4', {}, ...inline(node.c, target));
    case 'code': {
      const code = h('code', { text: node.v });
      if (node.lang) code.dataset.lang = node.lang;
      return h('pre', { tabindex: 0, 'aria-label': node.lang ? `${node.lang} code` : 'code' }, code);
    }
    case 'list': {
      // A one-paragraph item is a tight list item: its text without the paragraph margins.
      const items = node.items.map((item) => {
        const [only] = item;
        return item.length === 1 && only?.t === 'p'
          ? h('li', {}, ...inline(only.c, target))
          : h('li', {}, ...item.map((b) => block(b, target, shift)));
      });
      return node.ordered
        ? h('ol', node.start === 1 ? {} : { start: node.start }, ...items)
        : h('ul', {}, ...items);
    }
    case 'quote':
      return h('blockquote', {}, ...node.c.map((b) => block(b, target, shift)));
    case 'hr':
      return h('hr');
    case 'table': {
      const cell = (tag: 'th' | 'td', content: readonly Inline[], col: number) =>
        h(tag, node.align[col] ? { class: `align-${node.align[col]}` } : {}, ...inline(content, target));
      return h(
        'div',
        { class: 'table-scroll', tabindex: 0, role: 'region', 'aria-label': 'table' },
        h(
          'table',
          {},
          h('thead', {}, h('tr', {}, ...node.head.map((c, i) => cell('th', c, i)))),
          h('tbody', {}, ...node.rows.map((row) => h('tr', {}, ...row.map((c, i) => cell('td', c, i))))),
        ),
      );
    }
  }
}

/**
 * DOM nodes for parsed Markdown, built only with elements and text nodes. An answer sits under its speaker's
 * h3, so its largest heading becomes an h4 (answers often start at `##`).
 */
export function renderBlocks(blocks: readonly Block[], target: FootnoteTarget): Node[] {
  const levels = blocks.flatMap((b) => (b.t === 'h' ? [b.level] : []));
  const shift = 4 - (levels.length > 0 ? Math.min(...levels) : 1);
  return blocks.map((b) => block(b, target, shift));
}
