/**
 * The one environment module. Every function's environment is a typed record of variables (see
 * `function-env.ts` and each tool's `needs.ts`): constructs set the variables from the record's
 * `environment(…)`, handlers read them with `read()`, which checks the whole record at once and throws one
 * {@link EnvError} naming every missing or malformed variable. Nothing else in the project touches
 * `process.env`: code that must read or set the process environment goes through {@link processEnv},
 * {@link setProcessEnv} and {@link defaultProcessEnv}.
 */

/** Where variables are read from: the process environment, or a map (tests, local runs). */
export type EnvSource = Readonly<Record<string, string | undefined>>;

/** The process environment. */
export const processEnv = (): EnvSource => process.env;

/** Sets variables of this process (local tool runs, benchmarks); `undefined` removes one. */
export function setProcessEnv(values: Readonly<Record<string, string | undefined>>): void {
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
}

/** Sets each of `values` that is not set yet (an explicit setting always wins). */
export function defaultProcessEnv(values: Readonly<Record<string, string>>): void {
  for (const [name, value] of Object.entries(values)) process.env[name] ??= value;
}

/** The check of one variable's raw value. */
export type Parsed<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly problem: string };

/**
 * One variable: its name, how its text becomes a value (`parse`) and a value its text (`format`, what a
 * construct sets). `optional` variables read as `fallback` when unset or blank; required ones are a problem.
 */
export interface EnvVar<T, I = T, O extends boolean = boolean> {
  readonly name: string;
  readonly optional: O;
  readonly fallback?: T;
  /** Blank text counts as unset. @default true */
  readonly blankIsUnset?: boolean;
  /** The problem reported when a required variable is unset. */
  readonly missingProblem?: string;
  parse(raw: string): Parsed<T>;
  format(input: I): string;
}

/** Any variable (the upper bound of records' members). */
// biome-ignore lint/suspicious/noExplicitAny: the input side is contravariant; any record member fits here.
type AnyVar = EnvVar<unknown, any>;
type Specs = Readonly<Record<string, AnyVar>>;

type ValueOf<V> = V extends EnvVar<infer T, infer _I, infer _O> ? T : never;
type InputOf<V> = V extends EnvVar<infer _T, infer I, infer _O> ? I : never;
type RequiredKeys<S> = { [K in keyof S]: S[K] extends { readonly optional: false } ? K : never }[keyof S];
type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** What `read()` returns for a record of specs. */
export type EnvValues<S> = Simplify<{ readonly [K in keyof S]: ValueOf<S[K]> }>;
/** What `environment()` takes for a record of specs: every required variable, optional ones as wanted. */
export type EnvInput<S> = Simplify<
  { readonly [K in RequiredKeys<S>]: InputOf<S[K]> } & {
    readonly [K in Exclude<keyof S, RequiredKeys<S>>]?: InputOf<S[K]>;
  }
>;

/** The outcome of checking a record against an environment. */
export type EnvCheck<Out> =
  | { readonly ok: true; readonly value: Out }
  | {
      readonly ok: false;
      /** One line per variable, in record order. */
      readonly problems: readonly string[];
      /** Names of the required variables that are unset. */
      readonly missing: readonly string[];
    };

/** A function's environment could not be read: every problem at once. */
export class EnvError extends Error {
  constructor(
    readonly problems: readonly string[],
    readonly missing: readonly string[],
  ) {
    super(
      problems.length === 1
        ? String(problems[0])
        : `${problems.length} environment variables are missing or malformed:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'EnvError';
  }
}

/** A typed set of variables: read all at once, or turned into the environment a construct sets. */
export interface EnvRecord<Out, In> {
  /** Every variable the record may read, in record order. */
  readonly names: readonly string[];
  /** Checks every variable; never throws. */
  check(source?: EnvSource): EnvCheck<Out>;
  /** The values, or an {@link EnvError} naming every missing or malformed variable. */
  read(source?: EnvSource): Out;
  /** The variables for `input` as a construct sets them (optional ones left out when not given). */
  environment(input: In): Record<string, string>;
}

/** The values of a record. */
export type ValuesOf<R> = R extends EnvRecord<infer Out, infer _In> ? Out : never;
/** The input of a record's `environment()`. */
export type InputOfRecord<R> = R extends EnvRecord<infer _Out, infer In> ? In : never;

export const missingProblem = (name: string): string =>
  `Missing environment variable ${name}: the function cannot start without it. Set it in the function's construct.`;

function checkVar(spec: AnyVar, source: EnvSource): Parsed<unknown> | { readonly ok: 'missing' } {
  const raw = source[spec.name];
  const unset = raw === undefined || ((spec.blankIsUnset ?? true) && raw.trim() === '');
  if (unset) return spec.optional ? { ok: true, value: spec.fallback } : { ok: 'missing' };
  return spec.parse(raw);
}

class Record_<Out, In> implements EnvRecord<Out, In> {
  constructor(
    readonly names: readonly string[],
    private readonly checker: (source: EnvSource) => EnvCheck<Out>,
    private readonly formatter: (input: In) => Record<string, string>,
  ) {}

  check(source: EnvSource = processEnv()): EnvCheck<Out> {
    return this.checker(source);
  }

  read(source: EnvSource = processEnv()): Out {
    const checked = this.checker(source);
    if (!checked.ok) throw new EnvError(checked.problems, checked.missing);
    return checked.value;
  }

  environment(input: In): Record<string, string> {
    return this.formatter(input);
  }
}

/** A record of variables keyed by what the code calls them: `envRecord({ table: text('TABLE_NAME') })`. */
export function envRecord<const S extends Specs>(specs: S): EnvRecord<EnvValues<S>, EnvInput<S>> {
  const entries = Object.entries(specs);
  return new Record_(
    entries.map(([, spec]) => spec.name),
    (source) => {
      const value: Record<string, unknown> = {};
      const problems: string[] = [];
      const missing: string[] = [];
      for (const [key, spec] of entries) {
        const checked = checkVar(spec, source);
        if (checked.ok === 'missing') {
          missing.push(spec.name);
          problems.push(spec.missingProblem ?? missingProblem(spec.name));
        } else if (checked.ok) value[key] = checked.value;
        else problems.push(checked.problem);
      }
      return problems.length > 0
        ? { ok: false, problems, missing }
        : { ok: true, value: value as EnvValues<S> };
    },
    (input) => {
      const out: Record<string, string> = {};
      for (const [key, spec] of entries) {
        const given = (input as Record<string, unknown>)[key];
        if (given !== undefined) out[spec.name] = spec.format(given);
      }
      return out;
    },
  );
}

/** The records' variables together: values and inputs are the intersection of theirs. */
export function mergeEnv<A, AI, B, BI>(a: EnvRecord<A, AI>, b: EnvRecord<B, BI>): EnvRecord<A & B, AI & BI>;
export function mergeEnv<A, AI, B, BI, C, CI>(
  a: EnvRecord<A, AI>,
  b: EnvRecord<B, BI>,
  c: EnvRecord<C, CI>,
): EnvRecord<A & B & C, AI & BI & CI>;
export function mergeEnv<A, AI, B, BI, C, CI, D, DI>(
  a: EnvRecord<A, AI>,
  b: EnvRecord<B, BI>,
  c: EnvRecord<C, CI>,
  d: EnvRecord<D, DI>,
): EnvRecord<A & B & C & D, AI & BI & CI & DI>;
export function mergeEnv<A, AI, B, BI, C, CI, D, DI, E, EI>(
  a: EnvRecord<A, AI>,
  b: EnvRecord<B, BI>,
  c: EnvRecord<C, CI>,
  d: EnvRecord<D, DI>,
  e: EnvRecord<E, EI>,
): EnvRecord<A & B & C & D & E, AI & BI & CI & DI & EI>;
export function mergeEnv(...records: EnvRecord<object, object>[]): EnvRecord<object, object> {
  return new Record_<object, object>(
    [...new Set(records.flatMap((r) => r.names))],
    (source) => {
      const checks = records.map((r) => r.check(source));
      const failed = checks.flatMap((c) => (c.ok ? [] : [c]));
      if (failed.length > 0) {
        return {
          ok: false,
          problems: [...new Set(failed.flatMap((c) => c.problems))],
          missing: [...new Set(failed.flatMap((c) => c.missing))],
        };
      }
      return { ok: true, value: Object.assign({}, ...checks.map((c) => (c.ok ? c.value : {}))) };
    },
    (input) => Object.assign({}, ...records.map((r) => r.environment(input))),
  );
}

/**
 * Variables that depend on a selector variable, e.g. the agent engine: `AGENT_ENGINE` picks which record
 * applies. Reads the selector (named `key` in the values), then that variant's record. `omitFallback` leaves
 * the selector out of an environment whose variant is the selector's fallback (a variable added later).
 */
export function envVariants<
  K extends string,
  const V extends Readonly<Record<string, EnvRecord<object, object>>>,
>(
  key: K,
  selector: EnvVar<keyof V & string, keyof V & string>,
  variants: V,
  options: { readonly omitFallback?: boolean } = {},
): EnvRecord<
  { [N in keyof V]: Simplify<{ readonly [P in K]: N } & ValuesOf<V[N]>> }[keyof V],
  { [N in keyof V]: Simplify<{ readonly [P in K]: N } & InputOfRecord<V[N]>> }[keyof V]
> {
  const all = Object.values(variants);
  return new Record_(
    [selector.name, ...new Set(all.flatMap((r) => r.names))],
    (source) => {
      const chosen = checkVar(selector, source);
      if (chosen.ok === 'missing') {
        return {
          ok: false,
          problems: [selector.missingProblem ?? missingProblem(selector.name)],
          missing: [selector.name],
        };
      }
      if (!chosen.ok) return { ok: false, problems: [chosen.problem], missing: [] };
      const name = chosen.value as keyof V & string;
      const checked = (variants[name] as EnvRecord<object, object>).check(source);
      // biome-ignore lint/suspicious/noExplicitAny: the variant's values, tagged with the selector.
      return checked.ok ? { ok: true, value: { [key]: name, ...checked.value } as any } : checked;
    },
    (input) => {
      const name = (input as Record<string, string>)[key] as keyof V & string;
      const omit = options.omitFallback === true && selector.optional && name === selector.fallback;
      return {
        ...(omit ? {} : { [selector.name]: selector.format(name) }),
        ...(variants[name] as EnvRecord<object, object>).environment(input),
      };
    },
  );
}

// Variables.

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const problem = (text: string): Parsed<never> => ({ ok: false, problem: text });

/** A required, non-blank string. */
export const text = (name: string): EnvVar<string, string, false> => ({
  name,
  optional: false,
  parse: ok,
  format: (value) => value,
});

/** A string that may be unset (or blank): `undefined` then. */
export const optionalText = (name: string): EnvVar<string | undefined, string, true> => ({
  name,
  optional: true,
  parse: ok,
  format: (value) => value,
});

export interface IntOptions {
  readonly min?: number;
  readonly max?: number;
  /** The problem for a value that is not a whole number in range. @default "must be a positive whole number" */
  readonly problem?: (raw: string) => string;
}

/** A required whole number, at least `min` (1) and at most `max`. */
export const int = (name: string, options: IntOptions = {}): EnvVar<number, number, false> => ({
  name,
  optional: false,
  parse: (raw) => {
    const value = Number(raw);
    const inRange =
      Number.isInteger(value) &&
      value >= (options.min ?? 1) &&
      value <= (options.max ?? Number.MAX_SAFE_INTEGER);
    if (inRange) return ok(value);
    return problem(
      options.problem?.(raw) ?? `Environment variable ${name} must be a positive whole number (got "${raw}")`,
    );
  },
  format: (value) => String(value),
});

const splitList = (raw: string): string[] =>
  raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);

/** A comma-separated list (empty entries dropped); unset is an empty list. */
export const list = (name: string): EnvVar<string[], readonly string[], true> => ({
  name,
  optional: true,
  fallback: [],
  parse: (raw) => ok(splitList(raw)),
  format: (values) => values.join(','),
});

/** A comma-separated list that must be set but may be empty (an empty allowlist is a valid deployment). */
export const requiredList = (name: string): EnvVar<string[], readonly string[], false> => ({
  name,
  optional: false,
  blankIsUnset: false,
  missingProblem: `Missing environment variable ${name}: the function cannot start without it (it may be empty). Set it in the function's construct.`,
  parse: (raw) => ok(splitList(raw)),
  format: (values) => values.join(','),
});

/** One of `choices`; required unless a `fallback` is given. */
export function choice<const C extends string>(name: string, choices: readonly C[]): EnvVar<C, C, false>;
export function choice<const C extends string>(
  name: string,
  choices: readonly C[],
  fallback: C,
): EnvVar<C, C, true>;
export function choice<const C extends string>(
  name: string,
  choices: readonly C[],
  fallback?: C,
): EnvVar<C, C> {
  return {
    name,
    optional: fallback !== undefined,
    ...(fallback === undefined ? {} : { fallback }),
    parse: (raw) =>
      (choices as readonly string[]).includes(raw)
        ? ok(raw as C)
        : problem(`Environment variable ${name} must be one of ${choices.join(', ')} (got "${raw}")`),
    format: (value) => value,
  };
}

/** `on` or anything else (off); unset is off. */
export const flag = (name: string): EnvVar<boolean, boolean, true> => ({
  name,
  optional: true,
  fallback: false,
  parse: (raw) => ok(raw === 'on'),
  format: (value) => (value ? 'on' : 'off'),
});

/** A variable with its own parser (JSON maps, ARNs with a rule); `format` is how a construct sets it. */
export function custom<T, I = string>(
  name: string,
  parse: (raw: string) => Parsed<T>,
  format: (input: I) => string,
  options: { readonly fallback: T },
): EnvVar<T, I, true>;
export function custom<T, I = string>(
  name: string,
  parse: (raw: string) => Parsed<T>,
  format: (input: I) => string,
): EnvVar<T, I, false>;
export function custom<T, I>(
  name: string,
  parse: (raw: string) => Parsed<T>,
  format: (input: I) => string,
  options?: { readonly fallback: T },
): EnvVar<T, I> {
  return {
    name,
    optional: options !== undefined,
    ...(options ? { fallback: options.fallback } : {}),
    parse,
    format,
  };
}

export { ok as parsedValue, problem as parseProblem };
