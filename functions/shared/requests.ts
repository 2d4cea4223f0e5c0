import * as z from 'zod/mini';
import '../../action-groups/kit/zod-locale';
import { FILTER_LIMITS, FILTER_OPERATORS, type FilterOperator, operandOf } from '../../client';
import { CONFIRMATION_ID_PATTERN, CONVERSATION_ID_PATTERN, USER_ID_PATTERN } from '../../contracts/ids';
import type { ConfirmationReply } from './confirmation-view';
import { InvalidRequest } from './errors';

/*
 * The request contract, validated again in the Lambdas (API Gateway's models check the same shape first, with
 * the same id patterns from `contracts/ids.ts`; the WebSocket API has no models).
 */

const conversationId = z
  .string({ error: 'must be a string' })
  .check(z.regex(CONVERSATION_ID_PATTERN, 'must be 2-100 characters of 0-9 a-z A-Z . _ : -'));

const userId = z
  .string({ error: 'must be a string' })
  .check(z.regex(USER_ID_PATTERN, 'must be 1-128 characters of 0-9 a-z A-Z . _ @ : -'));

/** A required, non-blank string of at most `maxChars` characters (`message`, `query`). */
const text = (maxChars: number) =>
  z.string({ error: 'is required and must be a string' }).check(
    z.refine((m) => m.trim().length > 0, 'must not be empty'),
    z.refine((m) => m.length <= maxChars, `must be at most ${maxChars} characters`),
  );

/** Unknown fields are reported by name; any other failure of the body itself reads "must be a JSON object". */
const objectError = {
  error: (issue: { code?: string }) =>
    issue.code === 'unrecognized_keys' ? undefined : 'must be a JSON object',
};

const confirmationReply = z.strictObject(
  {
    id: z
      .string({ error: 'must be a string' })
      .check(z.regex(CONFIRMATION_ID_PATTERN, 'must be the id of the confirmation you answer (a UUID)')),
    confirm: z.boolean({ error: 'is required: true runs the tool, false declines it' }),
  },
  {
    error: (issue: { code?: string }) =>
      issue.code === 'unrecognized_keys' ? undefined : 'must be an object {"id":…,"confirm":true|false}',
  },
);

/**
 * A chat turn is a `message`, or a `confirmation` answering the conversation's pending tool confirmation
 * (which needs its `conversationId`); never both. API Gateway's model says the same with `oneOf`.
 */
function messageOrConfirmation(
  body: { message?: string; confirmation?: unknown; conversationId?: string },
  ctx: { addIssue(issue: { code: 'custom'; message: string; path: string[]; input: unknown }): void },
): void {
  if (body.message === undefined && body.confirmation === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['message'],
      message: 'is required and must be a string (or send confirmation to answer a pending confirmation)',
      input: body,
    });
  } else if (body.message !== undefined && body.confirmation !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: [],
      message: 'send either message or confirmation, not both',
      input: body,
    });
  } else if (body.confirmation !== undefined && body.conversationId === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['conversationId'],
      message: 'is required with confirmation (the conversation that asked)',
      input: body,
    });
  }
}

/** POST /chat */
export const chatRequest = (maxChars: number) =>
  z
    .strictObject(
      {
        message: z.optional(text(maxChars)),
        conversationId: z.optional(conversationId),
        userId: z.optional(userId),
        confirmation: z.optional(confirmationReply),
      },
      objectError,
    )
    .check(z.superRefine(messageOrConfirmation));
export type ChatRequest = z.infer<ReturnType<typeof chatRequest>>;

/** WebSocket `sendMessage` frame: the action plus the chat fields (the owner comes from `$connect`). */
export const socketMessage = (maxChars: number) =>
  z
    .strictObject(
      {
        action: z.literal('sendMessage'),
        message: z.optional(text(maxChars)),
        conversationId: z.optional(conversationId),
        confirmation: z.optional(confirmationReply),
      },
      objectError,
    )
    .check(z.superRefine(messageOrConfirmation));
export type SocketMessage = z.infer<ReturnType<typeof socketMessage>>;

/** What a parsed chat request asks for: a message, or the answer to a pending confirmation. */
export type ChatInput =
  | { readonly message: string; readonly conversationId?: string }
  | { readonly confirmation: ConfirmationReply; readonly conversationId: string };

/** The turn of a parsed `chatRequest` / `socketMessage` (their check guarantees one of the two shapes). */
export function chatInputOf(body: {
  message?: string;
  conversationId?: string;
  confirmation?: ConfirmationReply;
}): ChatInput {
  if (body.confirmation && body.conversationId) {
    return { confirmation: body.confirmation, conversationId: body.conversationId };
  }
  if (body.message !== undefined && !body.confirmation) {
    return { message: body.message, ...(body.conversationId ? { conversationId: body.conversationId } : {}) };
  }
  throw new InvalidRequest(['body: send either message or confirmation (with conversationId)']);
}

const scalar = z.union([z.string(), z.number(), z.boolean()]);

/** The `value` an operator takes (the operand table is the client's, shared with `kass retrieve`). */
function leafValue(op: FilterOperator) {
  switch (operandOf(op)) {
    case 'number':
      return z.number({ error: `${op} compares numbers` });
    case 'list':
      return z
        .array(scalar, { error: `${op} takes a list of values` })
        .check(z.minLength(1), z.maxLength(FILTER_LIMITS.maxListValues));
    case 'string':
      return z.string({ error: `${op} takes a string` });
    case 'scalar':
      return scalar;
  }
}

/** A Retrieve metadata filter (runtime-apis.md §2.1): one operator per object, `andAll`/`orAll` nest. */
export interface RetrievalFilterInput {
  readonly [operator: string]: { key: string; value: unknown } | RetrievalFilterInput[];
}

const filterGroup = () =>
  z
    .array(filterSchema)
    .check(z.minLength(FILTER_LIMITS.minGroupFilters), z.maxLength(FILTER_LIMITS.maxGroupFilters));

const filterSchema: z.ZodMiniType<RetrievalFilterInput> = z.lazy(() =>
  z.union(
    [
      ...FILTER_OPERATORS.map((op) =>
        z.strictObject({
          [op]: z.strictObject({
            key: z.string().check(z.minLength(1), z.maxLength(FILTER_LIMITS.maxKeyLength)),
            value: leafValue(op),
          }),
        }),
      ),
      z.strictObject({ andAll: filterGroup() }),
      z.strictObject({ orAll: filterGroup() }),
    ],
    {
      error: () =>
        `must be one operator object: {"<op>":{"key":"…","value":…}} with <op> one of ${FILTER_OPERATORS.join(', ')}, or {"andAll"|"orAll":[${FILTER_LIMITS.minGroupFilters}-${FILTER_LIMITS.maxGroupFilters} filters]}`,
    },
  ),
) as z.ZodMiniType<RetrievalFilterInput>;

/** POST /search */
export const searchRequest = (limits: { maxQueryChars: number; maxResults: number }) =>
  z.strictObject(
    {
      query: text(limits.maxQueryChars),
      top: z.optional(
        z
          .number({ error: 'must be a number' })
          .check(
            z.int('must be a whole number'),
            z.gte(1, 'must be at least 1'),
            z.lte(limits.maxResults, `must be at most ${limits.maxResults}`),
          ),
      ),
      filter: z.optional(filterSchema),
    },
    objectError,
  );
export type SearchRequest = z.infer<ReturnType<typeof searchRequest>>;

/** GET /conversations/{conversationId} parameters. */
export const conversationQuery = z.object({
  conversationId,
  userId: z.optional(userId),
  nextToken: z.optional(z.string().check(z.maxLength(2048, 'is too long'))),
});

/** `key: reason` lines for a zod error (the body's root is `body`). */
export function describeIssues(error: z.core.$ZodError): string[] {
  return error.issues.map((issue) => {
    const key = issue.path.length > 0 ? issue.path.map(String).join('.') : 'body';
    if (issue.code === 'unrecognized_keys') return `${key}: unknown field(s) ${issue.keys.join(', ')}`;
    return `${key}: ${issue.message}`;
  });
}

/** Parses with `schema` or throws `InvalidRequest` naming every bad field. */
export function parseOrInvalid<T extends z.ZodMiniType>(schema: T, value: unknown): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw new InvalidRequest(describeIssues(result.error));
  return result.data;
}
