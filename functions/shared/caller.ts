import type { APIGatewayProxyEvent } from 'aws-lambda';
import { type Caller, OPERATOR_ROLE, SESSION_ATTRIBUTES } from '../../action-groups/kit/caller';
import { listEnv } from './env';
import { Unauthenticated, UnknownApiKey } from './errors';
import { ownerFromCognitoSub, ownerOfApp } from './owner';

export type { Caller } from '../../action-groups/kit/caller';

/**
 * How the chat functions turn authentication into one trusted caller per turn: the Cognito `sub` and groups
 * when Cognito is on; in API-key mode the app the key's id names, plus the end-user id that app asserts.
 * The caller reaches the agent only as the session attributes {@link sessionAttributesOf} builds.
 */
export interface IdentitySettings {
  /** API key id → app name (`API_KEY_APPS`, built at synth from `chatApi.apiKeys`). */
  readonly apiKeyApps: Readonly<Record<string, string>>;
  /** Cognito groups whose members are operators (`OPERATOR_GROUPS`). */
  readonly operatorGroups: readonly string[];
  /** Owner strings of operators (`OPERATOR_USER_IDS`), e.g. `app:support-desk:user:lead`. */
  readonly operatorUserIds: readonly string[];
}

const APP_NAME = /^[a-z][a-z0-9-]{1,31}$/;

/** Parses `API_KEY_APPS` (a JSON object of key id → app name); a malformed value fails the cold start. */
export function parseApiKeyApps(text: string | undefined): Record<string, string> {
  if (text === undefined || text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error('Environment variable API_KEY_APPS must be a JSON object of API key id → app name');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error('Environment variable API_KEY_APPS must be a JSON object of API key id → app name');
  }
  const out: Record<string, string> = {};
  for (const [id, app] of Object.entries(value)) {
    if (typeof app !== 'string' || !APP_NAME.test(app)) {
      throw new Error(
        `Environment variable API_KEY_APPS: key ${id} must name an app (got ${JSON.stringify(app)})`,
      );
    }
    out[id] = app;
  }
  return out;
}

/** The settings the chat construct passes every function that derives callers. */
export function identitySettingsFromEnv(): IdentitySettings {
  return {
    apiKeyApps: parseApiKeyApps(process.env.API_KEY_APPS),
    operatorGroups: listEnv('OPERATOR_GROUPS'),
    operatorUserIds: listEnv('OPERATOR_USER_IDS'),
  };
}

/**
 * Cognito groups as API Gateway's Cognito authorizer hands them over (`"a,b"` or `"[a b]"`) or as a
 * verified token carries them (an array).
 */
export function parseGroups(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((g): g is string => typeof g === 'string' && g.length > 0);
  if (typeof value !== 'string') return [];
  return value
    .replace(/^\[|\]$/g, '')
    .split(/[,\s]+/)
    .map((g) => g.trim())
    .filter((g) => g.length > 0);
}

/** The roles the API grants an owner: `operator` for a configured user id or a member of an operator group. */
export function rolesOf(owner: string, groups: readonly string[], settings: IdentitySettings): string[] {
  const operator =
    settings.operatorUserIds.includes(owner) || groups.some((g) => settings.operatorGroups.includes(g));
  return operator ? [OPERATOR_ROLE] : [];
}

const caller = (userId: string, app: string | undefined, roles: string[]): Caller => ({
  userId,
  ...(app ? { app } : {}),
  roles,
});

/** The caller of a verified Cognito token (its `sub` and `cognito:groups`). */
export function callerFromCognito(
  sub: string,
  groups: readonly string[],
  settings: IdentitySettings,
  app?: string,
): Caller {
  const owner = ownerFromCognitoSub(sub);
  return caller(owner, app, rolesOf(owner, groups, settings));
}

/** The caller of an API key whose id names `app`, with the end-user id the app asserts (if any). */
export function callerOfApp(app: string, userId: string | undefined, settings: IdentitySettings): Caller {
  const owner = ownerOfApp(app, userId);
  return caller(owner, app, rolesOf(owner, [], settings));
}

/** The app an API key id names; a key no app of the config owns is refused. */
export function appOfKey(apiKeyId: string, settings: IdentitySettings): string {
  const app = settings.apiKeyApps[apiKeyId];
  if (!app) throw new UnknownApiKey();
  return app;
}

/**
 * The caller of a REST request. API Gateway has checked the key (and, when enabled, the Cognito token)
 * before the Lambda runs: the token's claims win; otherwise the key's id (`requestContext.identity.apiKeyId`,
 * never the key value) names the app, and `assertedUserId` (the app's `userId`) the user within it.
 */
export function restCaller(
  event: Pick<APIGatewayProxyEvent, 'requestContext'>,
  settings: IdentitySettings,
  assertedUserId?: string,
): Caller {
  const claims = (event.requestContext.authorizer as { claims?: Record<string, unknown> } | null | undefined)
    ?.claims;
  const apiKeyId = event.requestContext.identity?.apiKeyId;
  const app = typeof apiKeyId === 'string' ? settings.apiKeyApps[apiKeyId] : undefined;
  if (typeof claims?.sub === 'string' && claims.sub.length > 0) {
    return callerFromCognito(claims.sub, parseGroups(claims['cognito:groups']), settings, app);
  }
  if (typeof apiKeyId === 'string' && apiKeyId.length > 0) {
    return callerOfApp(appOfKey(apiKeyId, settings), assertedUserId, settings);
  }
  throw new Unauthenticated();
}

/** The session attributes a turn hands the agent: the caller, the conversation and the channel. */
export function sessionAttributesOf(
  who: Caller,
  conversationId: string,
  channel: string,
): Record<string, string> {
  return {
    [SESSION_ATTRIBUTES.userId]: who.userId,
    ...(who.app ? { [SESSION_ATTRIBUTES.app]: who.app } : {}),
    ...(who.roles.length > 0 ? { [SESSION_ATTRIBUTES.roles]: who.roles.join(',') } : {}),
    [SESSION_ATTRIBUTES.conversationId]: conversationId,
    [SESSION_ATTRIBUTES.channel]: channel,
  };
}
