/**
 * Readable usage errors from `node:util` parseArgs failures. Node's own texts are hard to read at a terminal
 * (`Unknown option '--jsn'. To specify a positional argument starting with a '-', place it at the end of the
 * command after '--', as in '-- "--jsn"`); these name the option, offer the closest one the command documents
 * and point at `--help`.
 */

/** The options a usage text documents (`--stage`, `-h`, …), in order of appearance. */
export function documentedOptions(usage: string): string[] {
  const found = new Set<string>();
  for (const line of usage.split('\n')) {
    // Option lines start with the option: `  --top <n>`, `  -f, --filter <expr>`, `  -h, --help`.
    const head = /^\s{1,8}((?:-[A-Za-z0-9]|--[a-z][\w-]*)(?:,\s*--[a-z][\w-]*)?)/.exec(line)?.[1];
    for (const option of head?.split(/,\s*/) ?? []) found.add(option);
  }
  return [...found];
}

/** Edit distance with adjacent transpositions (`--jsno` is one edit from `--json`), small strings only. */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number): number => d[i]?.[j] ?? 0;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, at(i - 2, j - 2) + 1);
      const row = d[i];
      if (row) row[j] = best;
    }
  }
  return at(a.length, b.length);
}

/** The documented option closest to `given` (a typo or a prefix), if one is close enough to suggest. */
export function closestOption(given: string, options: readonly string[]): string | undefined {
  const [name = given] = given.split('=');
  // A one-letter option is one edit from every other one: nothing to suggest.
  if (!name.startsWith('--')) return undefined;
  const candidates = options.filter((o) => o.startsWith('--'));
  const prefixed = candidates.filter((o) => name.length > 3 && o.startsWith(name));
  if (prefixed.length === 1) return prefixed[0];
  let best: { option: string; d: number } | undefined;
  for (const option of candidates) {
    const d = distance(name, option);
    if (d <= Math.max(1, Math.floor(option.length / 4)) && (!best || d < best.d)) best = { option, d };
  }
  return best?.option;
}

/** The value placeholder the usage shows for an option (`--stage <name>` → `<name>`). */
const placeholderOf = (option: string, usage: string): string =>
  new RegExp(`${option.replace(/[-]/g, '\\-')}[ =](<[^>]+>)`).exec(usage)?.[1] ?? '<value>';

/**
 * One or two lines saying what is wrong with the command line, for a parseArgs error (`code` starts with
 * `ERR_PARSE_ARGS`). `command` is what the user typed before the options, e.g. `kass ask`.
 */
export function describeParseError(
  error: { code?: unknown; message: string },
  usage: string,
  command: string,
  // Commands that take arguments (a question, a folder) accept one starting with '-' after '--'.
  takesArguments = /^Usage: \S+(?: [a-z-]+)* (?!\[options\])[<["[]/m.test(usage),
): string {
  const quoted = /'([^']+)'/.exec(error.message)?.[1] ?? '';
  const help = `Run '${command} --help' for the options.`;
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      const suggestion = closestOption(quoted, documentedOptions(usage));
      return [
        `unknown option '${quoted}'${suggestion ? `; did you mean ${suggestion}?` : ''}`,
        `${help}${takesArguments ? ` An argument that starts with '-' goes after '--': ${command} -- ${quoted}` : ''}`,
      ].join('\n');
    }
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      const option = quoted.split(' ')[0] ?? quoted;
      return error.message.includes('does not take an argument')
        ? `option ${option} takes no value (write ${option} alone). ${help}`
        : `option ${option} needs a value: ${option} ${placeholderOf(option, usage)}. ${help}`;
    }
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument '${quoted}': ${command} takes options only. ${help}`;
    default:
      return `${error.message}. ${help}`;
  }
}
