import type { JsonSchema } from './openapi/json-schema';

/**
 * Bedrock sends every parameter and body property as a string (contract §1.1, §7.2). These functions turn the
 * string into the type the schema declares. The declared `type` in the event is not trusted; the schema is.
 */

export type CoerceResult =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly issues: string[] };

/** Longest excerpt of a bad value quoted back to the model. */
const QUOTE_CHARS = 40;

/** Caller-supplied text cut to `max` characters, with an ellipsis when cut (bodies go into the prompt). */
export const clip = (text: string, max: number): string =>
  text.length > max ? `${text.slice(0, max)}…` : text;

export const quote = (value: string): string => JSON.stringify(clip(value, QUOTE_CHARS));

// Decimal notation only: no hex, no "Infinity", no empty string (all accepted by Number()).
const NUMBER_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

type Typed = { ok: true; value: unknown } | { ok: false; reason: string };

function parseNumber(text: string, integer: boolean): Typed {
  const trimmed = text.trim();
  const n = NUMBER_TEXT.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (integer) {
    return Number.isSafeInteger(n)
      ? { ok: true, value: n }
      : { ok: false, reason: `must be a whole number, got ${quote(text)}` };
  }
  return Number.isFinite(n)
    ? { ok: true, value: n }
    : { ok: false, reason: `must be a number, got ${quote(text)}` };
}

function parseBoolean(text: string): Typed {
  const lower = text.trim().toLowerCase();
  if (lower === 'true') return { ok: true, value: true };
  if (lower === 'false') return { ok: true, value: false };
  return { ok: false, reason: `must be true or false, got ${quote(text)}` };
}

function tryJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** JSON array text, else a comma-separated list (the model often sends `[a, b]` or `a, b`). */
function parseArray(text: string): unknown[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    const json = tryJson(trimmed);
    if (json.ok && Array.isArray(json.value)) return json.value;
  }
  const inner = trimmed.startsWith('[') && trimmed.endsWith(']') ? trimmed.slice(1, -1) : trimmed;
  if (inner.trim() === '') return [];
  return inner.split(',').map((item) => {
    const t = item.trim();
    // `["a", b]`-style mixtures: unquote items that were quoted.
    return t.length >= 2 && /^(["']).*\1$/s.test(t) ? t.slice(1, -1) : t;
  });
}

function parseObject(text: string): Typed {
  const json = tryJson(text.trim());
  return json.ok && typeof json.value === 'object' && json.value !== null && !Array.isArray(json.value)
    ? { ok: true, value: json.value }
    : { ok: false, reason: `must be a JSON object such as {"key": "value"}, got ${quote(text)}` };
}

const fieldName = (parent: string, key: string | number): string =>
  typeof key === 'number' ? `${parent}[${key}]` : parent ? `${parent}.${key}` : key;

/**
 * Converts `value` towards `schema`'s type. Strings are parsed; arrays and objects (from JSON) have their
 * items and declared properties converted recursively. Values of the wrong non-string type are left for the
 * validator to report. `field` names the value in messages (`tags[1]`, `address.city`).
 */
export function coerceValue(value: unknown, schema: JsonSchema, field: string): CoerceResult {
  if (value === null && schema.nullable === true) return { ok: true, value: null };
  if (typeof value === 'string') return coerceString(value, schema, field);
  // `[1, 2]` for a list of string ids: the model meant the text.
  if ((typeof value === 'number' || typeof value === 'boolean') && schema.type === 'string') {
    return { ok: true, value: String(value) };
  }
  if (Array.isArray(value) && schema.type === 'array' && schema.items) {
    const items = schema.items;
    return collect(
      value.map((item, i) => coerceValue(item, items, fieldName(field, i))),
      (values) => values,
    );
  }
  if (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    schema.type === 'object' &&
    schema.properties
  ) {
    const source = value as Record<string, unknown>;
    const out: Record<string, unknown> = { ...source };
    const results: CoerceResult[] = [];
    const keys: string[] = [];
    for (const [key, propSchema] of Object.entries(schema.properties)) {
      if (!Object.hasOwn(source, key)) continue;
      keys.push(key);
      results.push(coerceValue(source[key], propSchema, fieldName(field, key)));
    }
    return collect(results, (values) => {
      keys.forEach((key, i) => {
        out[key] = values[i];
      });
      return out;
    });
  }
  return { ok: true, value };
}

function collect(results: CoerceResult[], build: (values: unknown[]) => unknown): CoerceResult {
  const issues = results.flatMap((r) => (r.ok ? [] : r.issues));
  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, value: build(results.map((r) => (r.ok ? r.value : undefined))) };
}

/** Converts one string as the schema declares: integer/number strictly, boolean `true`/`false`, array, object. */
export function coerceString(text: string, schema: JsonSchema, field: string): CoerceResult {
  const fail = (reason: string): CoerceResult => ({ ok: false, issues: [`${field}: ${reason}`] });
  if (schema.nullable === true && text.trim() === 'null' && schema.type !== 'string')
    return { ok: true, value: null };
  switch (schema.type) {
    case 'integer':
    case 'number': {
      const r = parseNumber(text, schema.type === 'integer');
      return r.ok ? { ok: true, value: r.value } : fail(r.reason);
    }
    case 'boolean': {
      const r = parseBoolean(text);
      return r.ok ? { ok: true, value: r.value } : fail(r.reason);
    }
    case 'array': {
      const items = parseArray(text);
      return schema.items ? coerceValue(items, schema, field) : { ok: true, value: items };
    }
    case 'object': {
      const r = parseObject(text);
      return r.ok ? coerceValue(r.value, schema, field) : fail(r.reason);
    }
    default:
      return { ok: true, value: text };
  }
}

/**
 * Whether an event value counts as "not given": models send `""` for optional numbers, flags and lists they
 * mean to leave out. A string field keeps `""` as a value.
 */
export const isBlankForSchema = (text: string, schema: JsonSchema): boolean =>
  text.trim() === '' && schema.type !== undefined && schema.type !== 'string';
