// The module itself, not the client's index: `kass retrieve --help` does not load the agent client.
import {
  FILTER_LIMITS,
  FILTER_OPERATORS,
  type FilterClause,
  type FilterOperator,
  type FilterScalar,
  operandOf,
} from '../../client/retrieval-filter';

/**
 * `kass retrieve --filter` expressions (`team=platform`, `year>=2024`, `tags:listContains=vpn`): a pure parser
 * and its inverse. The operators and the filter they build are the client's.
 */

export type FilterParse = { ok: true; clause: FilterClause } | { ok: false; error: string };

const SYMBOLS: Readonly<Record<string, FilterOperator>> = {
  '=': 'equals',
  '!=': 'notEquals',
  '>': 'greaterThan',
  '>=': 'greaterThanOrEquals',
  '<': 'lessThan',
  '<=': 'lessThanOrEquals',
};
const SYMBOL_OF = Object.fromEntries(Object.entries(SYMBOLS).map(([symbol, op]) => [op, symbol])) as Partial<
  Record<FilterOperator, string>
>;
/** Operators whose value stays text (`2024` is not typed): the string operators, and listContains (lists hold strings). */
const TEXT = new Set<FilterOperator>(['startsWith', 'listContains', 'stringContains']);

/** Keys: 1–100 characters (the API's limit) without spaces, quotes or operator characters. */
export const FILTER_KEY = new RegExp(`^[^\\s=!<>:"]{1,${FILTER_LIMITS.maxKeyLength}}$`);
const NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;
const EXPRESSION = /^\s*([^\s=!<>:"]+)\s*(!=|>=|<=|=|>|<|:([A-Za-z]+)=)([\s\S]*)$/;

type ValueParse<T> = { ok: true; value: T } | { ok: false; error: string };

/** A value as text: quoted → that JSON string; otherwise the trimmed text (typed unless `asText`). */
function parseScalar(raw: string, asText: boolean): ValueParse<FilterScalar> {
  const text = raw.trim();
  if (text === '') return { ok: false, error: 'missing value' };
  if (text.startsWith('"')) {
    try {
      const value: unknown = JSON.parse(text);
      if (typeof value === 'string') return { ok: true, value };
    } catch {
      // reported below
    }
    return { ok: false, error: `bad quoted string ${text} (use JSON string syntax: "a \\"b\\"")` };
  }
  if (asText) return { ok: true, value: text };
  if (NUMBER.test(text)) {
    const n = Number(text);
    if (Number.isFinite(n)) return { ok: true, value: n === 0 ? 0 : n };
  }
  if (text === 'true' || text === 'false') return { ok: true, value: text === 'true' };
  return { ok: true, value: text };
}

/** Splits `a,"b,c",d` on commas outside JSON strings. */
function splitList(raw: string): string[] {
  const items: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i] as string;
    if (quoted && ch === '\\') {
      current += ch + (raw[i + 1] ?? '');
      i++;
      continue;
    }
    if (ch === '"') quoted = !quoted;
    if (ch === ',' && !quoted) {
      items.push(current);
      current = '';
    } else current += ch;
  }
  items.push(current);
  return items;
}

/**
 * Parses one `--filter` expression (syntax in {@link usage}). Pure; never throws.
 * @example parseFilter('year>=2024') → { ok: true, clause: { operator: 'greaterThanOrEquals', key: 'year', value: 2024 } }
 */
export function parseFilter(expression: string): FilterParse {
  const match = EXPRESSION.exec(expression);
  if (!match)
    return {
      ok: false,
      error: `"${expression}" is not a filter: use key=value, key!=value, key>=n, key:in=a,b, key:startsWith=text ...`,
    };
  const [, key = '', symbol = '', name, rest = ''] = match;
  if (!FILTER_KEY.test(key))
    return { ok: false, error: `"${expression}": keys are 1-${FILTER_LIMITS.maxKeyLength} characters` };
  let operator: FilterOperator | undefined = SYMBOLS[symbol];
  if (name !== undefined) {
    operator = FILTER_OPERATORS.find((op) => op.toLowerCase() === name.toLowerCase());
    if (!operator)
      return {
        ok: false,
        error: `"${expression}": unknown operator "${name}" (use ${FILTER_OPERATORS.join(', ')})`,
      };
  }
  if (!operator) return { ok: false, error: `"${expression}": missing operator` };
  const fail = (error: string): FilterParse => ({ ok: false, error: `"${expression}": ${error}` });
  if (operandOf(operator) === 'list') {
    const values: FilterScalar[] = [];
    for (const item of splitList(rest)) {
      const parsed = parseScalar(item, false);
      if (!parsed.ok) return fail(`${parsed.error} in the list (a,b,c)`);
      values.push(parsed.value);
    }
    return { ok: true, clause: { operator, key, value: values } };
  }
  const parsed = parseScalar(rest, TEXT.has(operator));
  if (!parsed.ok) return fail(parsed.error);
  if (operandOf(operator) === 'number' && typeof parsed.value !== 'number')
    return fail(`${SYMBOL_OF[operator] ?? operator} compares numbers; got ${JSON.stringify(parsed.value)}`);
  return { ok: true, clause: { operator, key, value: parsed.value } };
}

/** Text that {@link parseScalar} reads back as exactly this value. */
function formatScalar(value: FilterScalar, inList: boolean, asText: boolean): string {
  if (typeof value !== 'string') return String(value);
  const bare =
    value !== '' &&
    value === value.trim() &&
    !value.startsWith('"') &&
    (asText || (!NUMBER.test(value) && value !== 'true' && value !== 'false')) &&
    !(inList && (value.includes(',') || value.includes('"')));
  return bare ? value : JSON.stringify(value);
}

/** The canonical expression of a clause: `parseFilter(formatFilter(c))` gives `c` back. */
export function formatFilter(clause: FilterClause): string {
  const { operator, key, value } = clause;
  if (Array.isArray(value))
    return `${key}:${operator}=${value.map((v) => formatScalar(v, true, false)).join(',')}`;
  const symbol = SYMBOL_OF[operator];
  const text = formatScalar(value, false, TEXT.has(operator));
  return symbol ? `${key}${symbol}${text}` : `${key}:${operator}=${text}`;
}
