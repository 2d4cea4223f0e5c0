import { parse, YAMLParseError } from 'yaml';
import { z } from 'zod';

/**
 * The guardrail regression set (`guardrails/prompts.yaml`): two lists, `mustBlock` and `mustPass`, of
 * `{ id, source, expects?, text }`. Pure: parses and validates text; reading the file is the caller's job.
 */

export const SOURCES = ['INPUT', 'OUTPUT'] as const;
export type Source = (typeof SOURCES)[number];

/** What a case expects of the guardrail: `block` (listed under mustBlock) or `allow` (under mustPass). */
export type Expectation = 'block' | 'allow';

/** Policy kinds an `expects` value may name; the same `<kind>:<name>` keys the report uses for what fired. */
export const POLICY_KINDS = ['contentFilter', 'pii', 'regex', 'topic', 'word', 'grounding'] as const;

export interface GuardrailCase {
  readonly id: string;
  readonly source: Source;
  readonly expected: Expectation;
  /** The policy that should fire (`regex:gitlab-personal-access-token`), for reporting; mustBlock only. */
  readonly expectedPolicy?: string;
  readonly text: string;
}

const CASE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const POLICY_REF = new RegExp(`^(${POLICY_KINDS.join('|')}):\\S.*$`);

const required = (what: string) => (issue: { input: unknown }) =>
  issue.input === undefined ? 'is required' : `must be ${what}`;

const baseCase = {
  id: z
    .string({ error: required('a string') })
    .regex(CASE_ID, 'must be 1-100 letters, digits, . _ or -, starting with a letter or digit'),
  source: z.enum(SOURCES, { error: required(`one of ${SOURCES.join(', ')}`) }),
  text: z
    .string({ error: required('a string') })
    .refine((text) => text.trim().length > 0, 'must not be empty'),
};

const mustBlockCase = z.strictObject({
  ...baseCase,
  expects: z
    .string({ error: required('a string') })
    .regex(
      POLICY_REF,
      `must be <kind>:<name> with kind ${POLICY_KINDS.join(', ')} (e.g. regex:gitlab-personal-access-token)`,
    )
    .optional(),
});

const mustPassCase = z.strictObject({
  ...baseCase,
  expects: z
    .never({ error: 'is only for mustBlock cases (it names the policy that should block)' })
    .optional(),
});

const caseList = <T extends z.ZodType>(item: T) =>
  z.array(item, { error: required('a list of cases') }).default([]);

export const PromptsFileSchema = z
  .strictObject(
    { mustBlock: caseList(mustBlockCase), mustPass: caseList(mustPassCase) },
    { error: 'must be a mapping with mustBlock and mustPass lists' },
  )
  .superRefine((file, ctx) => {
    if (file.mustBlock.length + file.mustPass.length === 0) {
      ctx.addIssue({ code: 'custom', path: [], message: 'has no cases (mustBlock and mustPass are empty)' });
    }
    const seen = new Map<string, string>();
    for (const list of ['mustBlock', 'mustPass'] as const) {
      file[list].forEach((c, index) => {
        const first = seen.get(c.id);
        if (first) {
          ctx.addIssue({
            code: 'custom',
            path: [list, index, 'id'],
            message: `duplicates the id of ${first}`,
          });
        } else seen.set(c.id, `${list}[${index}]`);
      });
    }
  });

/** A prompts file that cannot be used; `problems` name the case (list, index and id) and the field. */
export class PromptsFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(`Invalid prompts file ${file}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'PromptsFileError';
  }
}

/** `mustBlock[3] (id "gitlab-token") source: must be one of INPUT, OUTPUT` for an issue at a case's field. */
function describeIssue(issue: z.core.$ZodIssue, raw: unknown): string {
  const [list, index, ...rest] = issue.path;
  if ((list === 'mustBlock' || list === 'mustPass') && typeof index === 'number') {
    const item = (raw as Record<string, unknown[]>)[list]?.[index];
    const id = typeof item === 'object' && item !== null ? (item as { id?: unknown }).id : undefined;
    const label = `${list}[${index}]${typeof id === 'string' && id ? ` (id "${id}")` : ''}`;
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
    if (keys.length > 0) return `${label}: unknown field ${keys.map((k) => `"${k}"`).join(', ')}`;
    return `${label} ${rest.length > 0 ? rest.map(String).join('.') : '(case)'}: ${issue.message}`;
  }
  if (issue.code === 'unrecognized_keys') {
    return `unknown top-level key ${issue.keys.map((k) => `"${k}"`).join(', ')} (use mustBlock and mustPass)`;
  }
  const key = issue.path.length > 0 ? issue.path.map(String).join('.') : 'the file';
  return `${key}: ${issue.message}`;
}

/**
 * Parses and validates a prompts file's text.
 * @param text the YAML text
 * @param file the name to use in messages
 * @returns the cases, mustBlock first, in file order
 * @throws PromptsFileError naming every bad case and field
 */
export function parsePrompts(text: string, file: string): GuardrailCase[] {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    const detail =
      error instanceof YAMLParseError && error.linePos
        ? `line ${error.linePos[0].line}, column ${error.linePos[0].col}: ${error.message.split('\n')[0]}`
        : (error as Error).message;
    throw new PromptsFileError(file, [`not valid YAML (${detail})`]);
  }
  const result = PromptsFileSchema.safeParse(raw);
  if (!result.success) {
    throw new PromptsFileError(
      file,
      result.error.issues.map((issue) => describeIssue(issue, raw)),
    );
  }
  const { mustBlock, mustPass } = result.data;
  return [
    ...mustBlock.map(
      (c): GuardrailCase => ({
        id: c.id,
        source: c.source,
        expected: 'block',
        ...(c.expects ? { expectedPolicy: c.expects } : {}),
        text: c.text,
      }),
    ),
    ...mustPass.map((c): GuardrailCase => ({ id: c.id, source: c.source, expected: 'allow', text: c.text })),
  ];
}
