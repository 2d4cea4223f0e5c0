import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import { listEnv, requireEnv } from '../shared/env';
import { once } from '../shared/once';
import { ownerFromApiKey, ownerFromCognitoSub } from '../shared/owner';
import { logger } from '../shared/powertools';
import { USER_ID_PATTERN } from '../shared/requests';
import { CognitoTokenVerifier } from './cognito-token';

/** The REQUEST authorizer event of a WebSocket `$connect` (only the fields used here). */
export interface ConnectAuthorizerEvent {
  readonly type?: string;
  readonly methodArn: string;
  readonly queryStringParameters?: Readonly<Record<string, string | undefined>> | null;
  readonly requestContext?: { readonly connectionId?: string; readonly routeKey?: string };
}

/** What the authorizer puts in the connection's context (`$context.authorizer.owner`). */
export interface ConnectContext {
  readonly owner: string;
}

export type ConnectAuthorizerResult = APIGatewayAuthorizerResult & { context: ConnectContext };

/**
 * API Gateway key values: 20–128 printable characters (generated keys are 40 letters and digits). The
 * authorizer only rejects what cannot be a key; API Gateway then checks the returned `usageIdentifierKey`
 * against the usage plans of this stage (exists, enabled, in the plan) before the connection opens.
 */
const API_KEY_SHAPE = /^[\x21-\x7e]{20,128}$/;

export type AuthorizerDeps =
  | { readonly mode: 'api-keys' }
  | { readonly mode: 'cognito'; readonly verifier: Pick<CognitoTokenVerifier, 'verify'> };

/** API Gateway answers 401 to a REQUEST authorizer that fails with exactly this message. */
const unauthorized = () => new Error('Unauthorized');

const allow = (
  event: ConnectAuthorizerEvent,
  owner: string,
  usageIdentifierKey?: string,
): ConnectAuthorizerResult => ({
  principalId: owner,
  policyDocument: {
    Version: '2012-10-17',
    Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: event.methodArn }],
  },
  ...(usageIdentifierKey ? { usageIdentifierKey } : {}),
  context: { owner },
});

/**
 * `$connect?token=…[&userId=…]`. API-key mode: the token is the client's API key; the owner is derived from
 * it (and the app's optional `userId`) exactly as on REST, and the key goes back as `usageIdentifierKey`
 * for API Gateway to check. Cognito mode: the token is an ID token of the user pool; the owner is its `sub`.
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
      return allow(event, ownerFromApiKey(token, userId), token);
    }
    try {
      const { sub } = await deps.verifier.verify(token);
      return allow(event, ownerFromCognitoSub(sub));
    } catch (error) {
      logger.warn('WebSocket token rejected', { reason: error instanceof Error ? error.message : 'unknown' });
      throw unauthorized();
    }
  };
}

export function authorizerDepsFromEnv(): AuthorizerDeps {
  if (process.env.AUTH_MODE === 'cognito') {
    return {
      mode: 'cognito',
      verifier: new CognitoTokenVerifier({
        userPoolId: requireEnv('COGNITO_USER_POOL_ID'),
        clientIds: listEnv('COGNITO_CLIENT_IDS'),
      }),
    };
  }
  return { mode: 'api-keys' };
}

const live = once(() => createAuthorizer(authorizerDepsFromEnv()));

/** The deployed handler: dependencies from the environment, built on the first invocation. */
export const handler = (event: ConnectAuthorizerEvent) => live()(event);
