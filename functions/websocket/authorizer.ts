import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import {
  type Caller,
  callerFromCognito,
  callerOfApp,
  type IdentitySettings,
  identitySettingsFromEnv,
} from '../shared/caller';
import { listEnv, requireEnv } from '../shared/env';
import { ownerDigest } from '../shared/owner';
import { logger } from '../shared/powertools';
import { USER_ID_PATTERN } from '../shared/requests';
import { ApiGatewayKeyDirectory, type ApiKeyDirectory } from './api-key-directory';
import { CognitoTokenVerifier } from './cognito-token';

/** The REQUEST authorizer event of a WebSocket `$connect` (only the fields used here). */
export interface ConnectAuthorizerEvent {
  readonly type?: string;
  readonly methodArn: string;
  readonly queryStringParameters?: Readonly<Record<string, string | undefined>> | null;
  readonly requestContext?: { readonly connectionId?: string; readonly routeKey?: string };
}

/**
 * What the authorizer puts in the connection's context (`requestContext.authorizer.*` of `$connect`): the
 * caller, as strings (API Gateway context values are primitives).
 */
export interface ConnectContext {
  readonly owner: string;
  readonly app?: string;
  /** Comma-separated roles, when there are any. */
  readonly roles?: string;
}

export type ConnectAuthorizerResult = APIGatewayAuthorizerResult & { context: ConnectContext };

/**
 * API Gateway key values: 20–128 printable characters (generated keys are 40 letters and digits). The
 * authorizer only rejects what cannot be a key; API Gateway then checks the returned `usageIdentifierKey`
 * against the usage plans of this stage (exists, enabled, in the plan) before the connection opens.
 */
const API_KEY_SHAPE = /^[\x21-\x7e]{20,128}$/;

export type AuthorizerDeps =
  | { readonly mode: 'api-keys'; readonly keys: ApiKeyDirectory; readonly identity: IdentitySettings }
  | {
      readonly mode: 'cognito';
      readonly verifier: Pick<CognitoTokenVerifier, 'verify'>;
      readonly identity: IdentitySettings;
    };

/** API Gateway answers 401 to a REQUEST authorizer that fails with exactly this message. */
const unauthorized = () => new Error('Unauthorized');

const allow = (
  event: ConnectAuthorizerEvent,
  caller: Caller,
  usageIdentifierKey?: string,
): ConnectAuthorizerResult => ({
  // The principal appears in API Gateway's logs: a digest, never the owner (it may hold an e-mail address).
  principalId: ownerDigest(caller.userId),
  policyDocument: {
    Version: '2012-10-17',
    Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: event.methodArn }],
  },
  ...(usageIdentifierKey ? { usageIdentifierKey } : {}),
  context: {
    owner: caller.userId,
    ...(caller.app ? { app: caller.app } : {}),
    ...(caller.roles.length > 0 ? { roles: caller.roles.join(',') } : {}),
  },
});

/**
 * `$connect?token=…[&userId=…]`. API-key mode: the token is the client's API key; the app is the one the
 * key's id names in the stage config (the same owner REST derives from the same key's id), plus the app's
 * optional `userId`; the key goes back as `usageIdentifierKey` for API Gateway to check against the plan.
 * Cognito mode: the token is an ID token of the user pool; the owner is its `sub`, its groups give roles.
 */
export function createAuthorizer(deps: AuthorizerDeps) {
  return async (event: ConnectAuthorizerEvent): Promise<ConnectAuthorizerResult> => {
    const token = event.queryStringParameters?.token;
    if (!token) throw unauthorized();
    if (deps.mode === 'api-keys') {
      const userId = event.queryStringParameters?.userId;
      if (!API_KEY_SHAPE.test(token) || (userId !== undefined && !USER_ID_PATTERN.test(userId))) {
        throw unauthorized();
      }
      const app = await deps.keys.appOf(token);
      if (!app) {
        logger.warn('WebSocket API key names no configured app');
        throw unauthorized();
      }
      return allow(event, callerOfApp(app, userId, deps.identity), token);
    }
    try {
      const { sub, groups } = await deps.verifier.verify(token);
      return allow(event, callerFromCognito(sub, groups, deps.identity));
    } catch (error) {
      logger.warn('WebSocket token rejected', { reason: error instanceof Error ? error.message : 'unknown' });
      throw unauthorized();
    }
  };
}

/** The deployed dependencies; in Cognito mode the key set is fetched now (cold start), not on first use. */
export async function authorizerDepsFromEnv(): Promise<AuthorizerDeps> {
  const identity = identitySettingsFromEnv();
  if (process.env.AUTH_MODE === 'cognito') {
    const verifier = new CognitoTokenVerifier({
      userPoolId: requireEnv('COGNITO_USER_POOL_ID'),
      clientIds: listEnv('COGNITO_CLIENT_IDS'),
    });
    try {
      await verifier.hydrate();
    } catch (error) {
      // Verification fetches the key set itself (at most once a minute); log and go on.
      logger.warn('could not load the user pool keys at cold start', { error: error as Error });
    }
    return { mode: 'cognito', verifier, identity };
  }
  return { mode: 'api-keys', keys: new ApiGatewayKeyDirectory(identity.apiKeyApps), identity };
}

// Started during the init phase (cold start), awaited by the first invocation.
let live: Promise<ReturnType<typeof createAuthorizer>> | undefined;
const ready = () => {
  live ??= authorizerDepsFromEnv().then(createAuthorizer);
  return live;
};
if (process.env.AWS_LAMBDA_FUNCTION_NAME) void ready().catch(() => undefined);

/** The deployed handler: dependencies from the environment, built at cold start. */
export const handler = async (event: ConnectAuthorizerEvent) => (await ready())(event);
