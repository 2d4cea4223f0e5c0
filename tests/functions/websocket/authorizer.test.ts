import { generateKeyPairSync, type JsonWebKey, type KeyObject, sign } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Fetcher } from 'aws-jwt-verify/https';
import type { IdentitySettings } from '../../../functions/shared/caller';
import { ownerDigest, ownerOfApp } from '../../../functions/shared/owner';
import type { ApiKeyDirectory } from '../../../functions/websocket/api-key-directory';
import { type ConnectAuthorizerEvent, createAuthorizer } from '../../../functions/websocket/authorizer';
import { CognitoTokenVerifier, jwksUrlOf } from '../../../functions/websocket/cognito-token';
import { getTestEvent } from '../../support/events';
import { API_KEY } from '../chat/support/chat-world';

const connectEvent = (query: Record<string, string> | null) => {
  const event = getTestEvent<
    ConnectAuthorizerEvent & { queryStringParameters: Record<string, string> | null }
  >({
    eventsPath: 'apigw',
    filename: 'websocket-authorizer-connect',
  });
  event.queryStringParameters = query;
  return event;
};

const IDENTITY: IdentitySettings = {
  apiKeyApps: { k1a2b3c4d5: 'web-app' },
  operatorGroups: ['kass-operators'],
  operatorUserIds: [],
};

describe('Handler: WebSocket $connect authorizer', () => {
  describe('API-key mode', () => {
    /** The configured keys: only API_KEY belongs to an app. */
    const keys: ApiKeyDirectory = { appOf: async (value) => (value === API_KEY ? 'web-app' : undefined) };
    const authorizer = createAuthorizer({ mode: 'api-keys', keys, identity: IDENTITY });

    it('allows the connection for API Gateway to check the key against the usage plan', async () => {
      // Act
      const result = await authorizer(connectEvent({ token: API_KEY }));
      // Assess
      const owner = ownerOfApp('web-app');
      expect(result).toEqual({
        principalId: ownerDigest(owner),
        policyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Action: 'execute-api:Invoke',
              Effect: 'Allow',
              Resource: 'arn:aws:execute-api:us-east-1:123456789012:w5s0ck3t42/dev/$connect',
            },
          ],
        },
        usageIdentifierKey: API_KEY,
        context: { owner, app: 'web-app' },
      });
      // The same owner REST derives from the same key's id: a streamed conversation is readable over REST.
      expect(owner).toBe('app:web-app');
      expect(JSON.stringify(result.context)).not.toContain(API_KEY);
    });

    it('namespaces an app’s own user id under the app (never in the principal id, which API Gateway logs)', async () => {
      const result = await authorizer(connectEvent({ token: API_KEY, userId: 'alex@example.com' }));
      expect(result.context.owner).toBe(ownerOfApp('web-app', 'alex@example.com'));
      expect(result.principalId).toMatch(/^u-[0-9a-f]{24}$/);
    });

    it.each([
      { name: 'no token', query: null },
      { name: 'an empty token', query: { token: '' } },
      { name: 'a token too short to be a key', query: { token: 'short' } },
      { name: 'a token with spaces', query: { token: `${API_KEY} x` } },
      { name: 'a malformed userId', query: { token: API_KEY, userId: 'a/b' } },
      { name: 'a key of no configured app', query: { token: 'kassSomeOtherKey0123456789abcdefghijKLMN' } },
    ])('answers 401 for $name', async ({ query }) => {
      await expect(authorizer(connectEvent(query as Record<string, string> | null))).rejects.toThrow(
        'Unauthorized',
      );
    });
  });

  describe('Cognito mode (aws-jwt-verify, key set from a local HTTP server)', () => {
    const POOL = 'us-east-1_AbCdEf123';
    const CLIENT = '4example0client0id0abcdef';
    let privateKey: KeyObject;
    let jwks: { keys: JsonWebKey[] };
    let server: Server;
    let base: string;
    const requests: string[] = [];

    /** Fetches over HTTP from the local server whatever JWKS URL it is asked for (the pool's is HTTPS). */
    const localFetcher: Fetcher = {
      async fetch(uri) {
        const response = await fetch(`${base}${new URL(uri).pathname}`);
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        return response.arrayBuffer();
      },
    };

    beforeAll(async () => {
      const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
      privateKey = pair.privateKey;
      jwks = {
        keys: [{ ...pair.publicKey.export({ format: 'jwk' }), kid: 'key-1', alg: 'RS256', use: 'sig' }],
      };
      server = createServer((req, res) => {
        requests.push(req.url ?? '');
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(jwks));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    beforeEach(() => {
      requests.length = 0;
    });

    const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const token = (
      claims: Record<string, unknown> = {},
      header: Record<string, unknown> = {},
      key = privateKey,
    ) => {
      const nowSeconds = Math.floor(Date.now() / 1000);
      const head = b64({ kid: 'key-1', alg: 'RS256', ...header });
      const body = b64({
        sub: '7d4e2b90-1111-4c3a-9e0b-2f6a8c1d5e77',
        iss: `https://cognito-idp.us-east-1.amazonaws.com/${POOL}`,
        aud: CLIENT,
        token_use: 'id',
        iat: nowSeconds - 60,
        exp: nowSeconds + 3000,
        ...claims,
      });
      const signature = sign('RSA-SHA256', Buffer.from(`${head}.${body}`), key).toString('base64url');
      return `${head}.${body}.${signature}`;
    };
    const verifier = (now?: () => number) =>
      new CognitoTokenVerifier({
        userPoolId: POOL,
        clientIds: [CLIENT],
        fetcher: localFetcher,
        ...(now ? { now } : {}),
      });
    const authorizer = (v = verifier()) =>
      createAuthorizer({ mode: 'cognito', verifier: v, identity: IDENTITY });

    it('allows a valid ID token and makes its sub the owner (no API key involved)', async () => {
      const result = await authorizer()(connectEvent({ token: token() }));
      expect(result.context).toEqual({ owner: 'cognito:7d4e2b90-1111-4c3a-9e0b-2f6a8c1d5e77' });
      expect(result.usageIdentifierKey).toBeUndefined();
    });

    it('grants the operator role to members of an operator group', async () => {
      const result = await authorizer()(
        connectEvent({ token: token({ 'cognito:groups': ['staff', 'kass-operators'] }) }),
      );
      expect(result.context).toMatchObject({ roles: 'operator' });
    });

    it('hydrates the pool’s keys once at cold start and caches them between connections', async () => {
      // Prepare
      const v = verifier();
      await v.hydrate();
      const auth = authorizer(v);

      // Act
      await auth(connectEvent({ token: token() }));
      await auth(connectEvent({ token: token() }));

      // Assess: one request to the pool's key-set path, for both issuer formats, none per connection
      expect(requests).toEqual([new URL(jwksUrlOf(POOL)).pathname]);
      expect(v.fetcher.fetches).toBe(1);
    });

    it('fetches the key set at most once a minute, whatever a burst of 50 unknown-kid tokens asks', async () => {
      // Prepare: a verifier whose clock the test moves
      let clock = 1_000_000;
      const v = verifier(() => clock);
      const auth = authorizer(v);
      const bogus = (i: number) => token({}, { kid: `bogus-${i}` });

      // Act: a burst, then another burst 30 s later, then one more a minute after the first fetch
      const first = await Promise.allSettled(
        Array.from({ length: 50 }, (_, i) => auth(connectEvent({ token: bogus(i) }))),
      );
      clock += 30_000;
      const second = await Promise.allSettled(
        Array.from({ length: 50 }, (_, i) => auth(connectEvent({ token: bogus(50 + i) }))),
      );
      const afterSecond = requests.length;
      clock += 31_000;
      await auth(connectEvent({ token: bogus(100) })).catch(() => undefined);

      // Assess
      expect([...first, ...second].every((r) => r.status === 'rejected')).toBe(true);
      expect(afterSecond).toBe(1);
      expect(requests).toHaveLength(2);
      // A valid token still passes within the minute (its key is in the cached set).
      await expect(auth(connectEvent({ token: token() }))).resolves.toMatchObject({
        context: { owner: expect.any(String) },
      });
      expect(requests).toHaveLength(2);
    });

    it.each([
      { name: 'an expired token', make: () => token({ exp: Math.floor(Date.now() / 1000) - 120 }) },
      { name: 'an access token', make: () => token({ token_use: 'access' }) },
      { name: 'another app client', make: () => token({ aud: 'someoneelse' }) },
      {
        name: 'another user pool',
        make: () => token({ iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other' }),
      },
      { name: 'an unknown key id', make: () => token({}, { kid: 'key-2' }) },
      { name: 'an unsigned token', make: () => token({}, { alg: 'none' }) },
      {
        name: 'a token signed by another key',
        make: () => token({}, {}, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey),
      },
      {
        name: 'a tampered payload',
        make: () => {
          const [h, , s] = token().split('.');
          return `${h}.${b64({ sub: 'admin', iss: `https://cognito-idp.us-east-1.amazonaws.com/${POOL}`, aud: CLIENT, token_use: 'id', exp: Math.floor(Date.now() / 1000) + 3000 })}.${s}`;
        },
      },
      { name: 'garbage', make: () => 'not.a.jwt' },
    ])('answers 401 for $name', async ({ make }) => {
      await expect(authorizer()(connectEvent({ token: make() }))).rejects.toThrow('Unauthorized');
    });
  });
});
