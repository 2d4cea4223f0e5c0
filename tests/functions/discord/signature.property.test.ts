import fc from 'fast-check';
import { createInteractionsHandler } from '../../../functions/discord/interactions-handler';
import type { DiscordJob } from '../../../functions/discord/job';
import {
  checkSignature,
  discordPublicKey,
  MAX_SIGNATURE_AGE_SECONDS,
} from '../../../functions/discord/signature';
import { DISCORD, discordKeys, interactionFixture, signature, signedEvent } from '../../support/discord';

/**
 * The interactions endpoint's signature check, as Discord probes it: any one-byte change to the body, the
 * signature or the timestamp is a 401; a stale (or far-future) timestamp is a 401 even when correctly signed;
 * every fresh, correctly signed PING is a 200 PONG, whatever the header casing or body encoding. Runs through
 * the whole handler, so a 401 also proves nothing was handed to the worker.
 */

const NOW_MS = Date.UTC(2026, 2, 1, 10, 15, 30);
const NOW_S = Math.floor(NOW_MS / 1000);
const keys = discordKeys();
const UNAUTHORIZED = { statusCode: 401, body: JSON.stringify({ error: 'invalid request signature' }) };

function endpoint() {
  const jobs: DiscordJob[] = [];
  const handler = createInteractionsHandler({
    publicKey: discordPublicKey(keys.publicKeyHex),
    applicationId: DISCORD.applicationId,
    guildIds: new Set([DISCORD.guildId]),
    maxQuestionChars: 4000,
    publisher: { publish: async (job) => void jobs.push(job) },
    now: () => NOW_MS,
  });
  return { handler, jobs };
}

/** A PING as Discord sends it, with arbitrary extra fields (so bodies vary in length and content). */
const pingBody = fc
  .dictionary(
    fc
      .string({ minLength: 1, maxLength: 12 })
      .filter((k) => !['type', 'id', 'application_id', 'token'].includes(k)),
    fc.jsonValue({ maxDepth: 2 }),
    { maxKeys: 6 },
  )
  .map((extra) => Buffer.from(JSON.stringify({ ...extra, ...interactionFixture('ping') }), 'utf8'));

const freshTimestamp = fc
  .integer({ min: -MAX_SIGNATURE_AGE_SECONDS, max: MAX_SIGNATURE_AGE_SECONDS })
  .map((skew) => String(NOW_S + skew));

const headerCase = fc.constantFrom<(name: string) => string>(
  (n) => n,
  (n) => n.toUpperCase(),
  (n) => n.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => `${dash}${c.toUpperCase()}`),
);

const status = (result: { statusCode: number; body: string }) => ({
  statusCode: result.statusCode,
  body: result.body,
});

describe('Discord interactions: signature verification (property)', () => {
  it('answers every fresh, correctly signed PING with 200 PONG (any header casing, text or base64 body)', async () => {
    await fc.assert(
      fc.asyncProperty(
        pingBody,
        freshTimestamp,
        headerCase,
        fc.boolean(),
        async (body, timestamp, spell, base64) => {
          // Prepare
          const { handler, jobs } = endpoint();
          // Act
          const result = await handler(
            signedEvent(body, { privateKey: keys.privateKey, timestamp, headerCase: spell, base64 }),
          );
          // Assess
          expect(result.statusCode).toBe(200);
          expect(result.headers?.['Content-Type']).toBe('application/json');
          expect(JSON.parse(result.body)).toEqual({ type: 1 });
          expect(jobs).toEqual([]);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('answers 401 when any one byte of the body changes', async () => {
    await fc.assert(
      fc.asyncProperty(
        pingBody,
        freshTimestamp,
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        async (body, timestamp, at, delta) => {
          // Prepare: sign the original, send the body with one byte changed (exact bytes: base64)
          const sig = signature(keys.privateKey, timestamp, body);
          const tampered = Buffer.from(body);
          const index = at % tampered.length;
          tampered[index] = ((tampered[index] ?? 0) + delta) % 256;
          const { handler, jobs } = endpoint();
          // Act
          const result = await handler(
            signedEvent(tampered, {
              privateKey: keys.privateKey,
              timestamp,
              signatureOverride: sig,
              base64: true,
            }),
          );
          // Assess
          expect(status(result)).toEqual(UNAUTHORIZED);
          expect(jobs).toEqual([]);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('answers 401 when any one character of the signature changes (hex or not)', async () => {
    await fc.assert(
      fc.asyncProperty(
        pingBody,
        freshTimestamp,
        fc.nat(),
        fc.integer({ min: 0x20, max: 0x7e }),
        async (body, timestamp, at, code) => {
          // Prepare
          const sig = signature(keys.privateKey, timestamp, body);
          const index = at % sig.length;
          const replacement = String.fromCharCode(code);
          fc.pre(replacement.toLowerCase() !== sig[index]);
          const tampered = `${sig.slice(0, index)}${replacement}${sig.slice(index + 1)}`;
          // Act
          const result = await endpoint().handler(
            signedEvent(body, { privateKey: keys.privateKey, timestamp, signatureOverride: tampered }),
          );
          // Assess
          expect(status(result)).toEqual(UNAUTHORIZED);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('answers 401 when any one character of the timestamp changes (signature of the original)', async () => {
    await fc.assert(
      fc.asyncProperty(
        pingBody,
        freshTimestamp,
        fc.nat(),
        fc.integer({ min: 0x20, max: 0x7e }),
        async (body, timestamp, at, code) => {
          // Prepare
          const sig = signature(keys.privateKey, timestamp, body);
          const index = at % timestamp.length;
          const replacement = String.fromCharCode(code);
          fc.pre(replacement !== timestamp[index]);
          const tampered = `${timestamp.slice(0, index)}${replacement}${timestamp.slice(index + 1)}`;
          // Act
          const result = await endpoint().handler(
            signedEvent(body, { privateKey: keys.privateKey, timestamp: tampered, signatureOverride: sig }),
          );
          // Assess
          expect(status(result)).toEqual(UNAUTHORIZED);
        },
      ),
      { numRuns: 200 },
    );
  });

  it(`answers 401 for a correctly signed request whose timestamp is more than ${MAX_SIGNATURE_AGE_SECONDS} s away`, async () => {
    await fc.assert(
      fc.asyncProperty(
        pingBody,
        fc.integer({ min: MAX_SIGNATURE_AGE_SECONDS + 1, max: 10 * 365 * 86400 }),
        fc.boolean(),
        async (body, age, future) => {
          // Prepare
          const timestamp = String(NOW_S + (future ? age : -age));
          // Act
          const result = await endpoint().handler(
            signedEvent(body, { privateKey: keys.privateKey, timestamp }),
          );
          // Assess
          expect(status(result)).toEqual(UNAUTHORIZED);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('answers 401 for a signature made with another key', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1 }),
        pingBody,
        freshTimestamp,
        async (label, body, timestamp) => {
          const other = discordKeys(`other-${label}`);
          const result = await endpoint().handler(
            signedEvent(body, { privateKey: other.privateKey, timestamp }),
          );
          expect(status(result)).toEqual(UNAUTHORIZED);
        },
      ),
      { numRuns: 50 },
    );
  });

  it.each([
    ['no signature header', (h: Record<string, string>) => delete h['x-signature-ed25519']],
    ['no timestamp header', (h: Record<string, string>) => delete h['x-signature-timestamp']],
    ['an empty signature', (h: Record<string, string>) => (h['x-signature-ed25519'] = '')],
    ['a 127-digit signature', (h: Record<string, string>) => (h['x-signature-ed25519'] = 'a'.repeat(127))],
    ['a fractional timestamp', (h: Record<string, string>) => (h['x-signature-timestamp'] = `${NOW_S}.5`)],
  ])('answers 401 for %s', async (_name, mutate) => {
    // Prepare
    const event = signedEvent(interactionFixture('ping'), {
      privateKey: keys.privateKey,
      timestamp: String(NOW_S),
    });
    mutate(event.headers as Record<string, string>);
    // Act
    const result = await endpoint().handler(event);
    // Assess
    expect(status(result)).toEqual(UNAUTHORIZED);
  });

  it('names why a request failed (for logs): missing, malformed, stale, invalid', () => {
    const key = discordPublicKey(keys.publicKeyHex);
    const rawBody = Buffer.from('{"type":1}');
    const ts = String(NOW_S);
    const sig = signature(keys.privateKey, ts, rawBody);
    expect(checkSignature(key, { signature: sig, timestamp: ts, rawBody }, NOW_MS)).toBe('valid');
    expect(checkSignature(key, { signature: undefined, timestamp: ts, rawBody }, NOW_MS)).toBe('missing');
    expect(checkSignature(key, { signature: 'zz', timestamp: ts, rawBody }, NOW_MS)).toBe('malformed');
    expect(checkSignature(key, { signature: sig, timestamp: ts, rawBody }, NOW_MS + 301_000)).toBe('stale');
    expect(
      checkSignature(key, { signature: sig, timestamp: ts, rawBody: Buffer.from('{"type":2}') }, NOW_MS),
    ).toBe('invalid');
  });

  it('refuses a public key that is not 64 hex characters at cold start', () => {
    expect(() => discordPublicKey('abc')).toThrow(/64 hex characters/);
  });
});
