import { createHmac } from 'node:crypto';
import { GenerateMacCommand, KMSClient, KMSInvalidMacException, VerifyMacCommand } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import {
  IDENTITY_TTL_MS,
  identityBaggage,
  identityTokenOf,
  MAX_IDENTITY_TOKEN_CHARS,
  mintIdentity,
  propagatedHeaders,
  tokenFromBaggage,
  verifyIdentity,
} from '../../../../action-groups/kit/gateway/identity';
import { kmsIdentitySigner, kmsIdentityVerifier } from '../../../../action-groups/kit/gateway/kms-identity';

const key = {
  sign: async (m: Uint8Array) => createHmac('sha256', 'k').update(m).digest(),
  verify: async (m: Uint8Array, mac: Uint8Array) =>
    createHmac('sha256', 'k').update(m).digest().equals(Buffer.from(mac)),
};
const NOW = Date.UTC(2026, 11, 6, 12, 0, 0);
const attrs = {
  userId: 'cognito:alice',
  app: 'web',
  roles: 'operator',
  conversationId: 'c-1',
  channel: 'websocket',
};

describe('Module: gateway/identity', () => {
  it('round-trips the session attributes of a turn', async () => {
    const token = await mintIdentity(key, attrs, NOW);
    expect(await verifyIdentity(key, token, NOW + 1000)).toEqual(attrs);
  });

  it('accepts an assertion until its expiry and not one millisecond after', async () => {
    const token = await mintIdentity(key, attrs, NOW);
    expect(await verifyIdentity(key, token, NOW + IDENTITY_TTL_MS - 1)).toEqual(attrs);
    expect(await verifyIdentity(key, token, NOW + IDENTITY_TTL_MS)).toBeUndefined();
  });

  it('refuses an assertion issued in the future or living longer than the TTL', async () => {
    expect(await verifyIdentity(key, await mintIdentity(key, attrs, NOW + 5 * 60_000), NOW)).toBeUndefined();
    expect(
      await verifyIdentity(key, await mintIdentity(key, attrs, NOW, IDENTITY_TTL_MS + 1), NOW),
    ).toBeUndefined();
  });

  it(`mints tokens up to ${MAX_IDENTITY_TOKEN_CHARS} characters and refuses bigger ones`, async () => {
    const big = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`a${i}`, 'x'.repeat(512)]));
    await expect(mintIdentity(key, big, NOW)).rejects.toThrow(`at most ${MAX_IDENTITY_TOKEN_CHARS} fit`);
    await expect(mintIdentity(key, { bad: 'x'.repeat(513) }, NOW)).rejects.toThrow('short string attribute');
    await expect(mintIdentity(key, { 'no spaces': 'x' }, NOW)).rejects.toThrow('short string attribute');
    const longest = await mintIdentity(
      key,
      { a: 'x'.repeat(512), b: 'y'.repeat(512), c: 'z'.repeat(300) },
      NOW,
    );
    expect(longest.length).toBeLessThanOrEqual(MAX_IDENTITY_TOKEN_CHARS);
  });

  it('never throws and never vouches for arbitrary text (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 300 }), async (token) => {
        expect(await verifyIdentity(key, token, NOW)).toBeUndefined();
      }),
    );
  });

  it('gives no identity when the verifier fails', async () => {
    const token = await mintIdentity(key, attrs, NOW);
    const broken = { verify: async () => Promise.reject(new Error('KMS down')) };
    expect(await verifyIdentity(broken, token, NOW)).toBeUndefined();
  });

  it('finds the member in a baggage list with other members and properties', () => {
    expect(tokenFromBaggage(`a=1, ${identityBaggage('p.m')};prop=x ,b=2`)).toBe('p.m');
    expect(tokenFromBaggage('a=1,b=2')).toBeUndefined();
    expect(tokenFromBaggage('kass-identity=%E0%A4%A')).toBeUndefined();
  });

  it('reads propagated headers as an object or JSON text, and ignores anything else', () => {
    expect(propagatedHeaders({ bedrockAgentCorePropagatedHeaders: { Baggage: 'x', n: 5 } })).toEqual({
      baggage: 'x',
    });
    expect(propagatedHeaders({ bedrockAgentCorePropagatedHeaders: '{"BAGGAGE":"y"}' })).toEqual({
      baggage: 'y',
    });
    expect(propagatedHeaders({ bedrockAgentCorePropagatedHeaders: 'not json' })).toEqual({});
    expect(identityTokenOf({})).toBeUndefined();
  });
});

describe('Module: gateway/kms-identity', () => {
  const kms = mockClient(KMSClient);
  beforeEach(() => kms.reset());

  it('signs with GenerateMac and verifies with VerifyMac on the configured key', async () => {
    // Prepare
    kms.on(GenerateMacCommand).resolves({ Mac: new Uint8Array([1, 2, 3]) });
    kms.on(VerifyMacCommand).resolves({ MacValid: true });
    const client = new KMSClient({ region: 'us-east-1' });
    // Act
    const token = await mintIdentity(kmsIdentitySigner(client, 'arn:key'), attrs, NOW);
    const verified = await verifyIdentity(kmsIdentityVerifier(client, 'arn:key'), token, NOW);
    // Assess
    expect(verified).toEqual(attrs);
    expect(kms.commandCalls(GenerateMacCommand)[0]?.args[0].input).toMatchObject({
      KeyId: 'arn:key',
      MacAlgorithm: 'HMAC_SHA_256',
    });
    expect(Buffer.from(kms.commandCalls(VerifyMacCommand)[0]?.args[0].input.Mac ?? []).toJSON().data).toEqual(
      [1, 2, 3],
    );
  });

  it('reads KMSInvalidMacException as "not valid"', async () => {
    kms.on(VerifyMacCommand).rejects(new KMSInvalidMacException({ message: 'bad mac', $metadata: {} }));
    const verifier = kmsIdentityVerifier(new KMSClient({ region: 'us-east-1' }), 'arn:key');
    expect(await verifier.verify(new Uint8Array([1]), new Uint8Array([2]))).toBe(false);
  });
});
