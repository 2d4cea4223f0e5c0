import { createHash } from 'node:crypto';

/**
 * The owner string of a caller: what every stored thing records and every read compares. It is derived on
 * the server from authentication only (see `caller.ts`), never from what a client claims:
 *
 * - Cognito: `cognito:<sub>` of the verified token.
 * - API key: `app:<app>`, or `app:<app>:user:<userId>` when the app passes its own end-user id. `<app>` is
 *   the name the stage config gives the key (`chatApi.apiKeys`), looked up by the key's **id**, so a rotated
 *   key of the same app keeps the app's conversations. The app vouches for its user ids.
 * - Discord: `discord:<user id>`.
 *
 * The owner is the Conversations `user_id`, the Agent State `user_id`, the agent session attribute `userId`
 * (what the tools see) and, hashed, the agent `memoryId`.
 */
export type Owner = string;

export const ownerFromCognitoSub = (sub: string): Owner => `cognito:${sub}`;

export const ownerOfApp = (app: string, userId?: string): Owner =>
  userId ? `app:${app}:user:${userId}` : `app:${app}`;

/** The agent memory id of an owner (InvokeAgent `memoryId`: 2-100 of `0-9 a-z A-Z . _ : -`). */
export function memoryIdFor(owner: Owner): string {
  return `m-${createHash('sha256').update(owner, 'utf8').digest('hex').slice(0, 40)}`;
}

/**
 * A short opaque stand-in for an owner in places that log it (the authorizer's principal id, log lines): the
 * owner can hold an app's free-text user id, such as an e-mail address, which logs must not carry.
 */
export function ownerDigest(owner: Owner): string {
  return `u-${createHash('sha256').update(owner, 'utf8').digest('hex').slice(0, 24)}`;
}
