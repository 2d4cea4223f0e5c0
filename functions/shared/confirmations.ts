import { randomUUID } from 'node:crypto';
import * as z from 'zod/mini';
import '../../action-groups/kit/zod-locale';
import { parseSchemaSource } from '../../action-groups/kit/openapi/document';
import { type Operation, readOperations } from '../../action-groups/kit/openapi/operations';
import type { ApiCall, ReturnControlInput, ToolArgument } from '../../client';
import { type CallView, CONFIRMATION_TTL_MS, type ConfirmationView } from './confirmation-view';
import type { Owner } from './owner';

/**
 * Tool confirmations over the chat API. Every write tool carries `x-requireConfirmation: ENABLED`, so the
 * agent stops before it and asks the caller (`returnControl` with `USER_CONFIRMATION`). In `ask` mode the turn
 * ends there: the API answers with a confirmation (id, tool, operation, inputs, prompt), keeps the pending
 * invocation in the Agent State table for {@link CONFIRMATION_TTL_MS}, and a later request
 * `{conversationId, confirmation: {id, confirm}}` answers it (`confirmationState` CONFIRM or DENY). In `deny`
 * mode every confirmation is denied mid-turn and the agent answers without running the tool.
 */
export const CONFIRMATION_MODES = ['ask', 'deny'] as const;
export type ConfirmationMode = (typeof CONFIRMATION_MODES)[number];

/** A confirmation the agent waits for, as the Agent State table keeps it (one per session at most). */
export interface PendingConfirmation {
  readonly id: string;
  /** Only this owner may answer (the session's owner). */
  readonly owner: Owner;
  readonly invocationId: string;
  /** The calls exactly as the agent sent them: the answer echoes them. */
  readonly inputs: readonly ReturnControlInput[];
  /** The same calls as shown to the user. */
  readonly calls: readonly CallView[];
  /** What would run, e.g. `report createTicket with title=VPN drops, severity=high`. */
  readonly action: string;
  readonly askedAtMs: number;
  readonly expiresAtMs: number;
}

/** Finds the operationId of an OpenAPI call (undefined when unknown). */
export type OperationIdLookup = (call: ApiCall) => Promise<string | undefined>;

const GROUP_NAME = /^[0-9A-Za-z_-]{1,100}$/;
const documents = new Map<string, Promise<readonly Operation[]>>();

/**
 * The operationId of a call, from the action group's OpenAPI document bundled with the function
 * (`schemas/<actionGroup>.yaml`: the file name is the action-group name the agent sends). Bedrock's
 * `apiInvocationInput` carries only the method and the path. Unknown groups and unreadable documents give
 * undefined: the prompt then names the method and path.
 */
export const schemaOperationId: OperationIdLookup = async (call) => {
  if (!GROUP_NAME.test(call.actionGroup)) return undefined;
  let operations = documents.get(call.actionGroup);
  if (!operations) {
    operations = import(`../../schemas/${call.actionGroup}.yaml`)
      .then((module: { default: string }) =>
        readOperations(parseSchemaSource(module.default, `${call.actionGroup}.yaml`).document),
      )
      .catch(() => []);
    documents.set(call.actionGroup, operations);
  }
  const method = call.httpMethod.toUpperCase();
  const found = (await operations).find((op) => op.method === method && op.path === call.apiPath);
  return found?.operationId || undefined;
};

const byName = (args: readonly ToolArgument[]): Record<string, string> =>
  Object.fromEntries(args.map((a) => [a.name, a.value]));

/** The user-facing form of one call. */
export async function describeCall(input: ReturnControlInput, lookup: OperationIdLookup): Promise<CallView> {
  if (input.kind === 'function') {
    return {
      tool: input.actionGroup,
      operation: { function: input.function },
      inputs: { parameters: byName(input.parameters) },
    };
  }
  let operationId: string | undefined;
  try {
    operationId = await lookup(input);
  } catch {
    operationId = undefined;
  }
  const body = Object.values(input.requestBody ?? {}).flat();
  return {
    tool: input.actionGroup,
    operation: {
      method: input.httpMethod.toUpperCase(),
      path: input.apiPath,
      ...(operationId ? { operationId } : {}),
    },
    inputs: { parameters: byName(input.parameters), ...(body.length > 0 ? { body: byName(body) } : {}) },
  };
}

const MAX_VALUE_CHARS = 60;
const MAX_ARGUMENTS = 8;

const shorten = (value: string): string => {
  const flat = value.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_VALUE_CHARS ? `${flat.slice(0, MAX_VALUE_CHARS - 1)}…` : flat;
};

/** `report createTicket with title=VPN drops, severity=high` (long values shortened, at most 8 arguments). */
function describeAction(call: CallView): string {
  const op = call.operation;
  const name =
    'function' in op
      ? `${call.tool} ${op.function}`
      : `${call.tool} ${op.operationId ?? `${op.method} ${op.path}`}`;
  const args = Object.entries({ ...call.inputs.parameters, ...call.inputs.body });
  if (args.length === 0) return name;
  const shown = args.slice(0, MAX_ARGUMENTS).map(([k, v]) => `${k}=${shorten(v)}`);
  return `${name} with ${shown.join(', ')}${args.length > MAX_ARGUMENTS ? ', …' : ''}`;
}

/** Builds the pending confirmation of a `returnControl` that asks the user (a new random id). */
export async function newPendingConfirmation(options: {
  readonly owner: Owner;
  readonly invocationId: string;
  readonly inputs: readonly ReturnControlInput[];
  readonly nowMs: number;
  readonly lookup: OperationIdLookup;
}): Promise<PendingConfirmation> {
  const calls = await Promise.all(options.inputs.map((input) => describeCall(input, options.lookup)));
  return {
    id: randomUUID(),
    owner: options.owner,
    invocationId: options.invocationId,
    inputs: options.inputs,
    calls,
    action: calls.map(describeAction).join(' and '),
    askedAtMs: options.nowMs,
    expiresAtMs: options.nowMs + CONFIRMATION_TTL_MS,
  };
}

/** The action as the end of a sentence: `mark` replaces any punctuation the last value ends with. */
const sentence = (action: string, mark: '?' | '.'): string => `${action.replace(/[.!?]+$/, '')}${mark}`;

/** The question shown to the user. */
export const promptOf = (pending: Pick<PendingConfirmation, 'action'>): string =>
  sentence(`Run ${pending.action}`, '?');

/** The user's answer as stored in the conversation (so summaries read it as a message). */
export const replyText = (pending: Pick<PendingConfirmation, 'action'>, confirm: boolean): string =>
  sentence(confirm ? `Yes, run ${pending.action}` : `No, do not run ${pending.action}`, '.');

/** The API's view of a pending confirmation. */
export function confirmationView(pending: PendingConfirmation): ConfirmationView {
  const [first] = pending.calls;
  if (!first) throw new Error('A pending confirmation has at least one call');
  return {
    id: pending.id,
    ...first,
    prompt: promptOf(pending),
    expiresAt: new Date(pending.expiresAtMs).toISOString(),
    ...(pending.calls.length > 1 ? { calls: pending.calls } : {}),
  };
}

// The stored record (DynamoDB map `pending_confirmation`, snake_case like the table's other attributes).

const argument = z.object({ name: z.string(), type: z.string(), value: z.string() });
const routing = {
  actionGroup: z.string(),
  invocationType: z.enum(['RESULT', 'USER_CONFIRMATION', 'USER_CONFIRMATION_AND_RESULT']),
  agentId: z.optional(z.string()),
  collaboratorName: z.optional(z.string()),
  toolUseId: z.optional(z.string()),
};
const storedInput = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('api'),
    ...routing,
    apiPath: z.string(),
    httpMethod: z.string(),
    parameters: z.array(argument),
    requestBody: z.optional(z.record(z.string(), z.array(argument))),
  }),
  z.object({ kind: z.literal('function'), ...routing, function: z.string(), parameters: z.array(argument) }),
]);
const stringMap = z.record(z.string(), z.string());
const storedCall = z.object({
  tool: z.string(),
  operation: z.union([
    z.object({ method: z.string(), path: z.string(), operationId: z.optional(z.string()) }),
    z.object({ function: z.string() }),
  ]),
  inputs: z.object({ parameters: stringMap, body: z.optional(stringMap) }),
});
const StoredConfirmation = z.object({
  id: z.string(),
  owner: z.string(),
  invocation_id: z.string(),
  inputs: z.array(storedInput).check(z.minLength(1)),
  calls: z.array(storedCall).check(z.minLength(1)),
  action: z.string(),
  asked_at_ms: z.number(),
  expires_at_ms: z.number(),
});

/** The DynamoDB map of a pending confirmation. */
export function toStoredConfirmation(pending: PendingConfirmation): Record<string, unknown> {
  return {
    id: pending.id,
    owner: pending.owner,
    invocation_id: pending.invocationId,
    inputs: pending.inputs,
    calls: pending.calls,
    action: pending.action,
    asked_at_ms: pending.askedAtMs,
    expires_at_ms: pending.expiresAtMs,
  };
}

/** A stored pending confirmation, or undefined when the value is not one. */
export function fromStoredConfirmation(value: unknown): PendingConfirmation | undefined {
  const parsed = StoredConfirmation.safeParse(value);
  if (!parsed.success) return undefined;
  const s = parsed.data;
  return {
    id: s.id,
    owner: s.owner,
    invocationId: s.invocation_id,
    inputs: s.inputs as ReturnControlInput[],
    calls: s.calls as CallView[],
    action: s.action,
    askedAtMs: s.asked_at_ms,
    expiresAtMs: s.expires_at_ms,
  };
}
