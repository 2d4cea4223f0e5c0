import { isRecord as isPlainObject } from '../../contracts/json';
import { clip, coerceValue, isBlankForSchema, quote } from './coerce';
import type { AgentApiEvent, AgentEventProperty } from './event';
import type { JsonSchema } from './openapi/json-schema';
import type { Operation } from './openapi/operations';

/**
 * Validation against the operation's own OpenAPI schema, compiled once per operation at cold start. The
 * document stays the single source of truth: there is no hand-written zod per operation. Every problem is
 * reported as `field: reason`, plus the field's description, so the model can fix the call.
 */

/** Appends one message per problem found in `value` (named `field`) to `issues`. */
export type Check = (value: unknown, field: string, issues: string[]) => void;

/** Longest description quoted in a message. */
const HINT_CHARS = 200;

const TYPE_WORDS: Record<NonNullable<JsonSchema['type']>, string> = {
  string: 'must be text',
  integer: 'must be a whole number',
  number: 'must be a number',
  boolean: 'must be true or false',
  array: 'must be a list',
  object: 'must be an object',
};

function hasType(value: unknown, type: NonNullable<JsonSchema['type']>): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'array':
      return Array.isArray(value);
    case 'object':
      return isPlainObject(value);
  }
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function validDate(year: string, month: string, day: string): boolean {
  const d = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  return (
    d.getUTCFullYear() === Number(year) &&
    d.getUTCMonth() === Number(month) - 1 &&
    d.getUTCDate() === Number(day)
  );
}

/** Cheap checks for common formats; unknown formats are not checked (JSON Schema treats them as annotations). */
const FORMATS: Record<string, { test: (s: string) => boolean; words: string }> = {
  'date-time': {
    test: (s) => {
      const m = RFC3339.exec(s);
      return (
        !!m &&
        validDate(m[1] ?? '', m[2] ?? '', m[3] ?? '') &&
        Number(m[4]) < 24 &&
        Number(m[5]) < 60 &&
        Number(m[6]) < 61
      );
    },
    words: 'must be a date-time such as 2025-05-01T14:30:00Z',
  },
  date: {
    test: (s) => {
      const m = DATE.exec(s);
      return !!m && validDate(m[1] ?? '', m[2] ?? '', m[3] ?? '');
    },
    words: 'must be a date such as 2025-05-01',
  },
  email: { test: (s) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s), words: 'must be an email address' },
  uri: {
    test: (s) => /^[a-zA-Z][a-zA-Z\d+.-]*:/.test(s) && URL.canParse(s),
    words: 'must be an absolute URI such as https://example.com/page',
  },
  uuid: {
    test: (s) => /^[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}$/i.test(s),
    words: 'must be a UUID such as 3f6c1a2e-8d4b-4f7a-9c1e-5b2d7e9a0c41',
  },
};

/** Length in code points, as JSON Schema counts it (an emoji is one character, two UTF-16 units). */
function codePoints(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff) n++;
  }
  return n;
}

/** Compiles a pattern once; `u` first (JSON Schema regexes are Unicode-aware), then without it. */
function compilePattern(pattern: string): RegExp | undefined {
  for (const flags of ['u', '']) {
    try {
      return new RegExp(pattern, flags);
    } catch {
      // try the next flag set
    }
  }
  return undefined;
}

/**
 * Compiles a schema into a check. `description` overrides the schema's own (parameters carry theirs on the
 * parameter, not the schema).
 */
export function compileSchema(schema: JsonSchema, description = schema.description): Check {
  const hint = description?.trim() ? `. Expected: ${description.trim().slice(0, HINT_CHARS)}` : '';
  const say = (issues: string[], field: string, reason: string): void => {
    issues.push(`${field}: ${reason}${hint}`);
  };
  const { type, minLength, maxLength, minimum, maximum, minItems, maxItems } = schema;
  const pattern = schema.pattern === undefined ? undefined : compilePattern(schema.pattern);
  const format = schema.format === undefined ? undefined : FORMATS[schema.format];
  const itemCheck = schema.items ? compileSchema(schema.items) : undefined;
  const properties = Object.entries(schema.properties ?? {}).map(([key, prop]) => ({
    key,
    check: compileSchema(prop),
  }));
  const required = schema.required ?? [];

  return (value, field, issues) => {
    if (value === null) {
      if (schema.nullable !== true) say(issues, field, 'must not be null');
      return;
    }
    if (type !== undefined && !hasType(value, type)) {
      say(issues, field, TYPE_WORDS[type]);
      return;
    }
    if (typeof value === 'string') {
      if (minLength !== undefined && codePoints(value) < minLength) {
        say(
          issues,
          field,
          minLength === 1 ? 'must not be empty' : `must be at least ${minLength} characters long`,
        );
      } else if (maxLength !== undefined && value.length > maxLength && codePoints(value) > maxLength) {
        say(issues, field, `must be at most ${maxLength} characters long (got ${codePoints(value)})`);
      } else if (pattern && !pattern.test(value)) {
        // Length is checked first so a huge value never reaches a costly pattern.
        say(issues, field, `must match the pattern ${schema.pattern}, got ${quote(value)}`);
      } else if (format && !format.test(value)) {
        say(issues, field, `${format.words}, got ${quote(value)}`);
      }
    } else if (typeof value === 'number') {
      if (minimum !== undefined && value < minimum)
        say(issues, field, `must be at least ${minimum} (got ${value})`);
      if (maximum !== undefined && value > maximum)
        say(issues, field, `must be at most ${maximum} (got ${value})`);
    } else if (Array.isArray(value)) {
      if (minItems !== undefined && value.length < minItems) {
        say(
          issues,
          field,
          `must have at least ${minItems} item${minItems === 1 ? '' : 's'} (got ${value.length})`,
        );
      }
      if (maxItems !== undefined && value.length > maxItems) {
        say(
          issues,
          field,
          `must have at most ${maxItems} item${maxItems === 1 ? '' : 's'} (got ${value.length})`,
        );
      }
      if (itemCheck) {
        for (let i = 0; i < value.length; i++) itemCheck(value[i], `${field}[${i}]`, issues);
      }
    } else if (isPlainObject(value)) {
      for (const key of required) {
        if (value[key] === undefined) issues.push(`${field}.${key}: is required`);
      }
      for (const { key, check } of properties) {
        if (value[key] !== undefined) check(value[key], `${field}.${key}`, issues);
      }
    }
  };
}

export interface OperationInput {
  /** Path and query parameters, keyed by name. */
  readonly params: Record<string, unknown>;
  /** Request-body properties; `{}` when the operation has no body. */
  readonly body: Record<string, unknown>;
}

export type InputResult =
  | { readonly ok: true; readonly input: OperationInput; readonly ignored: readonly string[] }
  | { readonly ok: false; readonly fields: readonly string[]; readonly ignored: readonly string[] };

export type InputReader = (event: Pick<AgentApiEvent, 'parameters' | 'requestBody'>) => InputResult;

interface FieldSpec {
  readonly name: string;
  readonly schema: JsonSchema;
  readonly required: boolean;
  readonly description: string;
  readonly check: Check;
}

/** Reads the first value per name; later duplicates are ignored. Map keys keep `__proto__` harmless. */
function byName(props: readonly AgentEventProperty[] | undefined): Map<string, string> {
  const map = new Map<string, string>();
  for (const p of props ?? []) if (!map.has(p.name)) map.set(p.name, p.value);
  return map;
}

/** Coerces, defaults and checks the declared fields; returns the typed record or the problems. */
function readFields(
  specs: readonly FieldSpec[],
  values: Map<string, string>,
  issues: string[],
  ignored: string[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const declared = new Set(specs.map((s) => s.name));
  for (const name of values.keys()) if (!declared.has(name)) ignored.push(name);
  for (const spec of specs) {
    const text = values.get(spec.name);
    if (text === undefined || isBlankForSchema(text, spec.schema)) {
      if (spec.schema.default !== undefined) out[spec.name] = structuredClone(spec.schema.default);
      else if (spec.required)
        issues.push(`${spec.name}: is required${spec.description ? `. Expected: ${spec.description}` : ''}`);
      continue;
    }
    const coerced = coerceValue(text, spec.schema, spec.name);
    if (!coerced.ok) {
      // Coercion messages say what the text should look like; add the description once per field.
      const hint = spec.description ? `. Expected: ${spec.description}` : '';
      issues.push(
        ...coerced.issues.map((issue) => (issue.startsWith(`${spec.name}: `) ? issue + hint : issue)),
      );
      continue;
    }
    spec.check(coerced.value, spec.name, issues);
    out[spec.name] = coerced.value;
  }
  return out;
}

/** Fields listed in one 400 body: enough to fix the call, short enough for the prompt. */
const MAX_FIELD_ISSUES = 20;

const capIssues = (issues: string[]): string[] =>
  issues.length > MAX_FIELD_ISSUES
    ? [...issues.slice(0, MAX_FIELD_ISSUES), `… and ${issues.length - MAX_FIELD_ISSUES} more problems`]
    : issues;

/** Compiles the parameter and body checks of one operation. */
export function compileInputReader(op: Operation): InputReader {
  const params: FieldSpec[] = op.parameters.map((p) => {
    const description = (p.description || p.schema.description || '').trim().slice(0, HINT_CHARS);
    return {
      name: p.name,
      schema: p.schema,
      required: p.required,
      description,
      check: compileSchema(p.schema, description),
    };
  });
  const bodySchema = op.requestBody?.schema;
  const required = new Set(bodySchema?.required ?? []);
  const bodyFields: FieldSpec[] = Object.entries(bodySchema?.properties ?? {}).map(([name, schema]) => {
    const description = (schema.description ?? '').trim().slice(0, HINT_CHARS);
    return {
      name,
      schema,
      required: required.has(name),
      description,
      check: compileSchema(schema, description),
    };
  });
  // A body schema without properties is free-form: pass its values through as text.
  const freeFormBody = op.requestBody !== undefined && bodySchema?.properties === undefined;
  const known = [...params, ...bodyFields].map((f) => f.name);
  const unknownHint =
    known.length > 0
      ? `is not a field of ${op.operationId} and was ignored; its fields are ${known.join(', ')}`
      : `is not a field of ${op.operationId} and was ignored; it takes no input`;
  const mediaType = op.requestBody?.mediaType ?? 'application/json';

  return (event) => {
    const issues: string[] = [];
    const ignored: string[] = [];
    const paramsOut = readFields(params, byName(event.parameters), issues, ignored);
    const content = event.requestBody?.content;
    const media = content ? (content[mediaType] ?? Object.values(content)[0]) : undefined;
    const bodyValues = byName(media?.properties);
    let body: Record<string, unknown>;
    if (freeFormBody) {
      body = Object.fromEntries(bodyValues);
    } else {
      body = readFields(bodyFields, bodyValues, issues, ignored);
    }
    if (issues.length === 0) return { ok: true, input: { params: paramsOut, body }, ignored };
    // Unknown names are harmless on a valid call; on a failed one they are often the fix (priority vs severity).
    const unknown = ignored.slice(0, MAX_UNKNOWN_NAMED).map((name) => `${clipName(name)}: ${unknownHint}`);
    return { ok: false, fields: capIssues([...issues, ...unknown]), ignored };
  };
}

/** Unknown field names quoted in one 400 body, and the longest part of a name quoted. */
const MAX_UNKNOWN_NAMED = 5;
const NAME_CHARS = 60;
const clipName = (name: string): string => clip(name, NAME_CHARS);
