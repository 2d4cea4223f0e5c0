import { createPublicKey, type KeyObject, verify } from 'node:crypto';

/**
 * Discord signs every interaction request with the application's Ed25519 key: `X-Signature-Ed25519` is the
 * hex signature of `X-Signature-Timestamp + raw body`. Discord also sends deliberately wrong signatures and
 * removes the endpoint URL if one is accepted, so every failure here must become a 401.
 */

/** Seconds a signed timestamp may be away from now (either way): older requests are replays. */
export const MAX_SIGNATURE_AGE_SECONDS = 300;

const SIGNATURE = /^[0-9a-fA-F]{128}$/;
/** Unix seconds, as Discord sends them. */
const TIMESTAMP = /^\d{1,12}$/;

export type SignatureCheck = 'valid' | 'missing' | 'malformed' | 'stale' | 'invalid';

/** The application's public key (64 hex characters) as a key object; built once per cold start. */
export function discordPublicKey(publicKeyHex: string): KeyObject {
  if (!/^[0-9a-fA-F]{64}$/.test(publicKeyHex)) {
    throw new Error('DISCORD_PUBLIC_KEY must be the 64 hex characters of the application public key');
  }
  return createPublicKey({
    format: 'jwk',
    key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKeyHex, 'hex').toString('base64url') },
  });
}

export interface SignedRequest {
  readonly signature: string | undefined;
  readonly timestamp: string | undefined;
  /** The exact bytes received (never a re-serialised body). */
  readonly rawBody: Buffer;
}

/**
 * Checks a request's signature and freshness. Only `valid` may be processed; everything else is a 401.
 * @param nowMs the current time (epoch ms)
 */
export function checkSignature(key: KeyObject, request: SignedRequest, nowMs: number): SignatureCheck {
  const { signature, timestamp, rawBody } = request;
  if (signature === undefined || timestamp === undefined) return 'missing';
  if (!SIGNATURE.test(signature) || !TIMESTAMP.test(timestamp)) return 'malformed';
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > MAX_SIGNATURE_AGE_SECONDS) return 'stale';
  const message = Buffer.concat([Buffer.from(timestamp, 'utf8'), rawBody]);
  try {
    return verify(null, message, key, Buffer.from(signature, 'hex')) ? 'valid' : 'invalid';
  } catch {
    return 'invalid';
  }
}
