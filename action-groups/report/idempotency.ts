import { createHash } from 'node:crypto';
import type { NormalizedTicketRequest } from './ticket';

/**
 * Idempotency of createTicket. The agent may call the tool again for the same request (a retry after a
 * timeout, the model repeating itself). A request is identified by its owner, the session and its normalised
 * fields;
 * the first call stores a record under that key, and every later call with the same key returns the ticket
 * the record points at instead of creating another one.
 */

/** How long a request is remembered: a retry a day later creates a new ticket. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

/** Idempotency records live in the tickets table under this key prefix (tickets use `TCK-`). */
export const IDEMPOTENCY_ITEM_PREFIX = 'IDEMPOTENCY#';

/** Item id of an idempotency record: the prefix and a SHA-256 in hex. */
export const IDEMPOTENCY_ITEM_PATTERN = /^IDEMPOTENCY#[0-9a-f]{64}$/;

/** Bump to invalidate every stored key when the normalisation changes meaning. */
const KEY_VERSION = 'v2';

/**
 * SHA-256 (hex) of the owner, the session id and the normalised request. Fields are hashed as a JSON array,
 * so no separator inside a value can make two different requests collide; text is compared in Unicode NFC, so
 * the same words typed with composed or decomposed accents are the same request. The owner is part of the
 * key: one user's request can never be answered with another user's ticket.
 */
export function requestKey(owner: string, sessionId: string, request: NormalizedTicketRequest): string {
  const nfc = (text: string) => text.normalize('NFC');
  const material = JSON.stringify([
    KEY_VERSION,
    owner,
    sessionId,
    nfc(request.title),
    nfc(request.description),
    request.severity,
    request.reporterName === undefined ? null : nfc(request.reporterName),
    request.conversationId === undefined ? null : nfc(request.conversationId),
  ]);
  return createHash('sha256').update(material, 'utf8').digest('hex');
}

/** The record's item id in the tickets table. */
export const idempotencyItemId = (key: string): string => `${IDEMPOTENCY_ITEM_PREFIX}${key}`;

/** Epoch SECONDS (DynamoDB TTL's unit, not milliseconds) after which the record is dead. */
export const idempotencyExpiry = (now: Date, ttlSeconds = IDEMPOTENCY_TTL_SECONDS): number =>
  Math.floor(now.getTime() / 1000) + ttlSeconds;

/** Epoch seconds of `now`: records with `expiresAt <= nowSeconds` are expired (TTL deletion lags by hours). */
export const epochSeconds = (now: Date): number => Math.floor(now.getTime() / 1000);
