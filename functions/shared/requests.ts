import { z } from 'zod';
import { InvalidRequest } from './errors';

/**
 * The request contract, validated again in the Lambdas (API Gateway's models check the same shape first;
 * the WebSocket API has no models). The patterns equal `CONVERSATION_ID_PATTERN` / `USER_ID_PATTERN` of
 * `infra/constructs/chat-api.ts` (a test checks; runtime code does not import `infra/`).
 */
export const CONVERSATION_ID_PATTERN = /^[0-9a-zA-Z._:-]{2,100}$/;
export const USER_ID_PATTERN = /^[0-9A-Za-z._@:-]{1,128}$/;

const conversationId = z
  .string({ error: 'must be a string' })
  .regex(CONVERSATION_ID_PATTERN, 'must be 2-100 characters of 0-9 a-z A-Z . _ : -');

const userId = z
  .string({ error: 'must be a string' })
  .regex(USER_ID_PATTERN, 'must be 1-128 characters of 0-9 a-z A-Z . _ @ : -');

/** `message` with the configured length limit. */
const message = (maxChars: number) =>
  z
    .string({ error: 'is required and must be a string' })
    .refine((m) => m.trim().length > 0, 'must not be empty')
    .refine((m) => m.length <= maxChars, `must be at most ${maxChars} characters`);

/** POST /chat */
export const chatRequest = (maxChars: number) =>
  z.strictObject(
    { message: message(maxChars), conversationId: conversationId.optional(), userId: userId.optional() },
    { error: (issue) => (issue.code === 'unrecognized_keys' ? undefined : 'must be a JSON object') },
  );
export type ChatRequest = z.infer<ReturnType<typeof chatRequest>>;

/** WebSocket `sendMessage` frame: the action plus the chat fields (the owner comes from `$connect`). */
export const socketMessage = (maxChars: number) =>
  z.strictObject(
    {
      action: z.literal('sendMessage'),
      message: message(maxChars),
      conversationId: conversationId.optional(),
    },
    { error: (issue) => (issue.code === 'unrecognized_keys' ? undefined : 'must be a JSON object') },
  );
export type SocketMessage = z.infer<ReturnType<typeof socketMessage>>;

const LEAF_OPERATORS = [
  'equals',
  'notEquals',
  'greaterThan',
  'greaterThanOrEquals',
  'lessThan',
  'lessThanOrEquals',
  'in',
  'notIn',
  'startsWith',
  'listContains',
  'stringContains',
] as const;
const NUMERIC = new Set(['greaterThan', 'greaterThanOrEquals', 'lessThan', 'lessThanOrEquals']);
const LISTS = new Set(['in', 'notIn']);

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const leafValue = (op: string) =>
  NUMERIC.has(op)
    ? z.number({ error: `${op} compares numbers` })
    : LISTS.has(op)
      ? z
          .array(scalar, { error: `${op} takes a list of values` })
          .min(1)
          .max(100)
      : op === 'startsWith' || op === 'stringContains'
        ? z.string({ error: `${op} takes a string` })
        : scalar;

/** A Retrieve metadata filter (runtime-apis.md §2.1): one operator per object, `andAll`/`orAll` nest. */
export interface RetrievalFilterInput {
  readonly [operator: string]: { key: string; value: unknown } | RetrievalFilterInput[];
}

const filterSchema: z.ZodType<RetrievalFilterInput> = z.lazy(() =>
  z.union(
    [
      ...LEAF_OPERATORS.map((op) =>
        z.strictObject({ [op]: z.strictObject({ key: z.string().min(1).max(100), value: leafValue(op) }) }),
      ),
      z.strictObject({ andAll: z.array(filterSchema).min(2).max(10) }),
      z.strictObject({ orAll: z.array(filterSchema).min(2).max(10) }),
    ],
    {
      error: () =>
        `must be one operator object: {"<op>":{"key":"…","value":…}} with <op> one of ${LEAF_OPERATORS.join(', ')}, or {"andAll"|"orAll":[2-10 filters]}`,
    },
  ),
) as z.ZodType<RetrievalFilterInput>;

/** POST /search */
export const searchRequest = (limits: { maxQueryChars: number; maxResults: number }) =>
  z.strictObject(
    {
      query: z
        .string({ error: 'is required and must be a string' })
        .refine((q) => q.trim().length > 0, 'must not be empty')
        .refine(
          (q) => q.length <= limits.maxQueryChars,
          `must be at most ${limits.maxQueryChars} characters`,
        ),
      top: z
        .number({ error: 'must be a number' })
        .int('must be a whole number')
        .min(1, 'must be at least 1')
        .max(limits.maxResults, `must be at most ${limits.maxResults}`)
        .optional(),
      filter: filterSchema.optional(),
    },
    { error: (issue) => (issue.code === 'unrecognized_keys' ? undefined : 'must be a JSON object') },
  );
export type SearchRequest = z.infer<ReturnType<typeof searchRequest>>;

/** GET /conversations/{conversationId} parameters. */
export const conversationQuery = z.object({
  conversationId,
  userId: userId.optional(),
  nextToken: z.string().max(2048, 'is too long').optional(),
});

/** `key: reason` lines for a zod error (the body's root is `body`). */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const key = issue.path.length > 0 ? issue.path.map(String).join('.') : 'body';
    if (issue.code === 'unrecognized_keys') return `${key}: unknown field(s) ${issue.keys.join(', ')}`;
    return `${key}: ${issue.message}`;
  });
}

/** Parses with `schema` or throws `InvalidRequest` naming every bad field. */
export function parseOrInvalid<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw new InvalidRequest(describeIssues(result.error));
  return result.data;
}
