import { Forbidden } from './errors';

/**
 * Who calls a tool. The chat API derives the caller on the server (Cognito token or API key, see
 * `functions/shared/caller.ts`) and passes it to the agent only as session attributes it sets on every
 * InvokeAgent call; tools read identity from those attributes and nowhere else (never from parameters the
 * model fills in). Every engine adapter (the Bedrock action-group event here, an AgentCore gateway later)
 * hands its attribute map to {@link callerOf}, so identity is read in exactly one place.
 */

/** The session attributes the chat API sets. Nothing a client sends can set or override them. */
export const SESSION_ATTRIBUTES = {
  /** The verified owner string: `cognito:<sub>`, `app:<app>[:user:<id>]`, `discord:<id>`. */
  userId: 'userId',
  /** The app named by the API key (API-key mode), when there is one. */
  app: 'app',
  /** Comma-separated roles the API granted, e.g. `operator`. Absent for ordinary users. */
  roles: 'roles',
  /** The conversation (= agent session) of the turn. */
  conversationId: 'conversationId',
  /** `rest`, `websocket` or `discord`. */
  channel: 'channel',
} as const;

/** The attributes that carry identity: a tool's answer can never change them. */
export const IDENTITY_ATTRIBUTES: readonly string[] = [
  SESSION_ATTRIBUTES.userId,
  SESSION_ATTRIBUTES.app,
  SESSION_ATTRIBUTES.roles,
];

/** The role that may read every ticket (a Cognito group or a configured user id, mapped by the API). */
export const OPERATOR_ROLE = 'operator';

export interface Caller {
  readonly userId: string;
  readonly app?: string;
  readonly roles: readonly string[];
}

/** Longest userId accepted (owner strings are far shorter; a longer value is not one the API set). */
const MAX_USER_ID_CHARS = 512;

/** The comma-separated roles as a list, blanks dropped. */
export const parseRoles = (text: string | undefined): string[] =>
  (text ?? '')
    .split(',')
    .map((role) => role.trim())
    .filter((role) => role.length > 0);

/**
 * The caller named by a turn's session attributes, or `undefined` when there is no usable `userId` (a direct
 * InvokeAgent from a script, the Bedrock console's test chat).
 */
export function callerOf(attributes: Readonly<Record<string, string>> | undefined): Caller | undefined {
  const userId = attributes?.[SESSION_ATTRIBUTES.userId]?.trim();
  if (!userId || userId.length > MAX_USER_ID_CHARS) return undefined;
  const app = attributes?.[SESSION_ATTRIBUTES.app]?.trim();
  return { userId, ...(app ? { app } : {}), roles: parseRoles(attributes?.[SESSION_ATTRIBUTES.roles]) };
}

export const isOperator = (caller: Caller): boolean => caller.roles.includes(OPERATOR_ROLE);

/**
 * What a tool does with a call that names no caller: `refuse` it (403), or run it as an operator, which a
 * stage enables only deliberately (e.g. so the Bedrock console's test chat can use the tools in dev).
 */
export type UnidentifiedCalls = 'refuse' | 'operator';

/** The caller a call without a userId runs as when the stage allows it. */
export const UNIDENTIFIED_OPERATOR: Caller = { userId: 'operator:unidentified', roles: [OPERATOR_ROLE] };

/**
 * Returns `attributes` with the identity attributes exactly as the event carried them: a handler's
 * changes to `userId`, `app` or `roles` are dropped, so no tool can hand a later step another identity.
 */
export function withIdentityOf(
  event: Readonly<Record<string, string>> | undefined,
  attributes: Readonly<Record<string, string>>,
): Record<string, string> {
  const out: Record<string, string> = { ...attributes };
  for (const key of IDENTITY_ATTRIBUTES) {
    const original = event?.[key];
    if (original === undefined) delete out[key];
    else out[key] = original;
  }
  return out;
}

/** The answer a tool gives a call without a verified caller. */
export const NO_CALLER_MESSAGE =
  'This tool works only for a signed-in user, and this request names none (it did not come through the ' +
  'chat API). Tell the user to sign in to the chat application and ask again.';

/**
 * The caller of a call (`ToolContext.caller`), or, when its session names none, the unidentified operator
 * (if the stage allows it) or a 403 {@link Forbidden} the model can explain.
 */
export function requireCaller(
  caller: Caller | undefined,
  unidentified: UnidentifiedCalls = 'refuse',
): Caller {
  if (caller) return caller;
  if (unidentified === 'operator') return UNIDENTIFIED_OPERATOR;
  throw new Forbidden(NO_CALLER_MESSAGE);
}

/** Environment variable a tool reads its {@link UnidentifiedCalls} policy from (set by the stack). */
export const UNIDENTIFIED_CALLS_ENV = 'UNIDENTIFIED_TOOL_CALLS';

/**
 * The policy for calls without a caller, from `UNIDENTIFIED_TOOL_CALLS`: unset means `refuse` (the safe
 * default, e.g. for a tool run locally); any value but `refuse` or `operator` fails the cold start.
 */
export function unidentifiedCallsFromEnv(env: NodeJS.ProcessEnv = process.env): UnidentifiedCalls {
  const value = env[UNIDENTIFIED_CALLS_ENV];
  if (value === undefined || value === '' || value === 'refuse') return 'refuse';
  if (value === 'operator') return 'operator';
  throw new Error(
    `Environment variable ${UNIDENTIFIED_CALLS_ENV} must be refuse or operator (got "${value}").`,
  );
}
