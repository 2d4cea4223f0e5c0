import { createHash } from 'node:crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { Unauthenticated } from './errors';

/**
 * Who owns a conversation. The owner is derived from authentication only, never from what a client claims:
 *
 * - Cognito (when the stage enables it): `cognito:<sub>` of the verified ID token. A `userId` in the body is
 *   ignored.
 * - API key: `apikey:<first 32 hex of SHA-256(key)>`, optionally followed by `:user:<userId>` when the app
 *   passes its own end-user id. The key is the app's identity; the app vouches for its users, so one app can
 *   keep its users' conversations apart but cannot reach another key's. The key value itself is never
 *   stored; REST (`requestContext.identity.apiKey`) and WebSocket (`?token=` on `$connect`) derive the same
 *   owner from the same key, so a conversation streamed over WebSocket is readable with GET /conversations.
 *
 * The owner is the Conversations `user_id` (and `user_id-index` key), the Agent State `user_id`, the agent
 * session attribute `userId` (what the summarize tool sees) and, hashed, the agent `memoryId`.
 */
export type Owner = string;

export function ownerFromApiKey(apiKey: string, userId?: string): Owner {
  const digest = createHash('sha256').update(apiKey, 'utf8').digest('hex').slice(0, 32);
  return userId ? `apikey:${digest}:user:${userId}` : `apikey:${digest}`;
}

export function ownerFromCognitoSub(sub: string): Owner {
  return `cognito:${sub}`;
}

/** The owner of a REST request (API Gateway has already checked the key and, when enabled, the token). */
export function restOwner(event: Pick<APIGatewayProxyEvent, 'requestContext'>, userId?: string): Owner {
  const claims = (event.requestContext.authorizer as { claims?: Record<string, unknown> } | null | undefined)
    ?.claims;
  if (typeof claims?.sub === 'string' && claims.sub.length > 0) return ownerFromCognitoSub(claims.sub);
  const apiKey = event.requestContext.identity?.apiKey;
  if (typeof apiKey === 'string' && apiKey.length > 0) return ownerFromApiKey(apiKey, userId);
  throw new Unauthenticated();
}

/** The agent memory id of an owner (InvokeAgent `memoryId`: 2-100 of `0-9 a-z A-Z . _ : -`). */
export function memoryIdFor(owner: Owner): string {
  return `m-${createHash('sha256').update(owner, 'utf8').digest('hex').slice(0, 40)}`;
}
