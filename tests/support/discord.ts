import { createHash, createPrivateKey, createPublicKey, type KeyObject, sign } from 'node:crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { getTestEvent } from './events';

/**
 * Discord on the test side: the ids of the shared interaction fixtures (`tests/events/discord/`), an Ed25519
 * application key pair made from a seed (no key material is stored), and API Gateway REST events carrying a
 * body signed the way Discord signs it (hex Ed25519 of `timestamp + raw body`).
 */

/** The ids in the fixtures. */
export const DISCORD = {
  applicationId: '1178412345678901234',
  guildId: '1098765432109876543',
  channelId: '1098765432109876550',
  userId: '1011122233344455566',
  otherUserId: '1011122233344455577',
} as const;

/** The configuration that turns the bot on for the fixtures' server, with `publicKeyHex`. */
export const discordConfig = (publicKeyHex: string) => ({
  enabled: true,
  applicationId: DISCORD.applicationId,
  publicKey: publicKeyHex,
  guildIds: [DISCORD.guildId],
});

/** PKCS#8 DER prefix of an Ed25519 private key; the 32-byte seed follows. */
const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');

export interface DiscordKeys {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** The application's public key as the Developer Portal shows it (64 hex). */
  readonly publicKeyHex: string;
}

/** A deterministic key pair for `label` (different labels, different keys). */
export function discordKeys(label = 'kass-test-application'): DiscordKeys {
  const seed = createHash('sha256').update(label).digest();
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const publicKey = createPublicKey(privateKey);
  const x = publicKey.export({ format: 'jwk' }).x ?? '';
  return { privateKey, publicKey, publicKeyHex: Buffer.from(x, 'base64url').toString('hex') };
}

/** The hex signature Discord sends for `timestamp + body`. */
export const signature = (privateKey: KeyObject, timestamp: string, body: Buffer): string =>
  sign(null, Buffer.concat([Buffer.from(timestamp, 'utf8'), body]), privateKey).toString('hex');

/** The fields of a fixture tests change (`data` and `member` exist in every fixture but `ping`). */
export interface InteractionFixture extends Record<string, unknown> {
  id: string;
  token: string;
  type: number;
  application_id: string;
  guild_id?: string;
  channel_id?: string;
  data: Record<string, unknown> & { name?: string; custom_id?: string; options?: Record<string, unknown>[] };
  member: { user: { id: string } };
}

/** A fresh copy of `tests/events/discord/<name>.json`. */
export const interactionFixture = (name: 'ping' | 'slash-ask' | 'message-command' | 'confirm-button') =>
  getTestEvent<InteractionFixture>({ eventsPath: 'discord', filename: name });

export interface SignedEventOptions {
  readonly privateKey: KeyObject;
  /** Unix seconds as a string. @default now */
  readonly timestamp?: string;
  /** How the signature headers are spelled (API Gateway keeps the sender's casing). @default lower case */
  readonly headerCase?: (name: string) => string;
  /** Send the body base64-encoded (`isBase64Encoded: true`), as API Gateway does for binary media types. */
  readonly base64?: boolean;
  /** Replace the signature (after signing), e.g. to tamper with it. */
  readonly signatureOverride?: string;
}

/** The REST proxy event of `body` (a JSON value, a string or raw bytes) signed by `privateKey`. */
export function signedEvent(body: unknown, options: SignedEventOptions): APIGatewayProxyEvent {
  const raw = Buffer.isBuffer(body)
    ? body
    : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8');
  const timestamp = options.timestamp ?? String(Math.floor(Date.now() / 1000));
  const sig = options.signatureOverride ?? signature(options.privateKey, timestamp, raw);
  const event = getTestEvent<APIGatewayProxyEvent>({
    eventsPath: 'apigw',
    filename: 'rest-discord-interaction',
  });
  const spell = options.headerCase ?? ((name: string) => name);
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(event.headers)) {
    if (!/^x-signature-/i.test(key) && value !== undefined) headers[key] = value;
  }
  headers[spell('x-signature-ed25519')] = sig;
  headers[spell('x-signature-timestamp')] = timestamp;
  return {
    ...event,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    body: options.base64 ? raw.toString('base64') : raw.toString('utf8'),
    isBase64Encoded: options.base64 === true,
  };
}
