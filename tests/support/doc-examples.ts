/**
 * Examples out of documentation (README.md, `--help` texts), so tests can check each one the way a reader
 * would use it: fenced code blocks with their language and line, command lines out of shell blocks and
 * inline code spans, and shell-like word splitting.
 */

/**
 * A fenced code block: its language (`bash`, `ts`, `text`), the marker after it that names which test checks
 * it (```` ```ts client-example ````; GitHub shows only the language), where it starts and its text.
 */
export interface DocBlock {
  readonly lang: string;
  readonly tag: string;
  readonly line: number;
  readonly text: string;
}

/** One command line of the documentation, with the line it starts on. */
export interface DocCommand {
  readonly line: number;
  readonly text: string;
}

/** Every fenced block (``` or ~~~, also indented inside list items). */
export function fencedBlocks(markdown: string): DocBlock[] {
  const blocks: DocBlock[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)(?:\s+([\w-]+))?/.exec(lines[i] ?? '');
    if (!open) continue;
    const [, indent = '', fence = '', lang = '', tag = ''] = open;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !(lines[j] ?? '').trim().startsWith(fence); j++) {
      body.push(
        (lines[j] ?? '').startsWith(indent) ? (lines[j] ?? '').slice(indent.length) : (lines[j] ?? ''),
      );
    }
    blocks.push({ lang, tag, line: i + 1, text: body.join('\n') });
    i = j;
  }
  return blocks;
}

/** The markdown with fenced blocks blanked out (line numbers kept), for reading inline code. */
const withoutBlocks = (markdown: string): string => {
  let inside: string | undefined;
  return markdown
    .split('\n')
    .map((line) => {
      const fence = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
      if (fence && (inside === undefined || line.trim().startsWith(inside))) {
        inside = inside === undefined ? fence : undefined;
        return '';
      }
      return inside === undefined ? line : '';
    })
    .join('\n');
};

/** The programs whose invocations count as examples when they open an inline code span. */
const COMMAND_START = /^(npx (kass|cdk|tsx|jest)\b|kass [a-z]|npm (run|test|ci)\b|aws [a-z]|-c kass:config=)/;

/** Inline code spans that are commands (`npx kass sync`, `npm run synth -- --stage prod`, `aws …`). */
export function inlineCommands(markdown: string): DocCommand[] {
  const text = withoutBlocks(markdown);
  const found: DocCommand[] = [];
  // A span may wrap onto the next line of its paragraph, never across a blank line.
  for (const match of text.matchAll(/`([^`\n]+(?:\n(?!\s*\n)[^`\n]+)*)`/g)) {
    const span = (match[1] ?? '').replace(/\s*\n\s*/g, ' ').trim();
    if (!COMMAND_START.test(span)) continue;
    found.push({ line: text.slice(0, match.index).split('\n').length, text: span });
  }
  return found;
}

/**
 * The commands of a shell block: comments and output lines (`# …`) dropped, `\` continuations joined,
 * `cmd1 && cmd2` split.
 */
export function shellCommands(block: DocBlock): DocCommand[] {
  const commands: DocCommand[] = [];
  const lines = block.text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i] ?? '';
    const start = block.line + 1 + i;
    while (line.endsWith('\\') && i + 1 < lines.length) line = `${line.slice(0, -1)} ${lines[++i] ?? ''}`;
    const command = stripComment(line).trim();
    if (command === '') continue;
    for (const part of command.split(/\s&&\s/)) commands.push({ line: start, text: part.trim() });
  }
  return commands;
}

/** `cmd # comment` → `cmd` (a `#` inside quotes stays). */
function stripComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1] ?? ''))) return line.slice(0, i);
  }
  return line;
}

/** A command split into words as a POSIX shell would (single and double quotes, backslash escapes). */
export function shellWords(command: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: string | undefined;
  for (let i = 0; i < command.length; i++) {
    const c = command[i] ?? '';
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && /["\\$`]/.test(command[i + 1] ?? ''))
        word += command[++i] ?? '';
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      word ??= '';
    } else if (c === '\\') word = `${word ?? ''}${command[++i] ?? ''}`;
    else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else word = `${word ?? ''}${c}`;
  }
  if (quote) throw new Error(`unbalanced ${quote} in: ${command}`);
  if (word !== undefined) words.push(word);
  return words;
}

/** Whether a command is a synopsis with placeholders (`kass sync [folder]`, `--guild <id>`, `…`). */
export const hasPlaceholders = (command: string): boolean => /<[^>]*>|\[[^\]]*\]|…|\.\.\./.test(command);

/**
 * A synopsis made concrete enough to parse: optional brackets dropped (`[--stage <name>]` → `--stage x`),
 * every `<placeholder>` and `…` one word `PLACEHOLDER`.
 */
export function fillPlaceholders(command: string): string {
  return command
    .replace(/<[^>]*>/g, 'PLACEHOLDER')
    .replace(/…|\.\.\./g, 'PLACEHOLDER')
    .replace(/\[([^\]]*)\]/g, '$1')
    .replace(/(\S+)\|\S+/g, '$1');
}

/** The `Examples:` lines of a `--help` text (indented lines after the header, up to a blank line). */
export function helpExamples(usage: string): string[] {
  const lines = usage.split('\n');
  const start = lines.findIndex((l) => /^Examples:\s*$/.test(l));
  if (start < 0) return [];
  const examples: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim() === '') break;
    examples.push(stripComment(line).trim());
  }
  return examples;
}

/** Commands in backquotes inside a `--help` text (`npm run synth`, `npx cdk destroy -c stage=<name>`). */
export function helpInlineCommands(usage: string): string[] {
  return [...usage.matchAll(/`([^`]+)`/g)]
    .map((m) => (m[1] ?? '').trim())
    .filter((s) => COMMAND_START.test(s));
}
