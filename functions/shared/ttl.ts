const SECONDS_PER_DAY = 24 * 60 * 60;

/**
 * The DynamoDB TTL value for something written at `nowMs` that may be deleted `days` later: epoch
 * **seconds** (DynamoDB ignores TTL values in milliseconds: they look like dates thousands of years away).
 */
export function expiresAtSeconds(nowMs: number, days: number): number {
  return Math.floor(nowMs / 1000) + Math.round(days * SECONDS_PER_DAY);
}

/** The same for a lifetime in hours (WebSocket connection records). */
export function expiresAtSecondsAfterHours(nowMs: number, hours: number): number {
  return Math.floor(nowMs / 1000) + Math.round(hours * 60 * 60);
}
