import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { ownerFromApiKey } from '../../../functions/shared/owner';
import {
  type ConnectAuthorizerEvent,
  createAuthorizer,
  handler,
} from '../../../functions/websocket/authorizer';
import { CognitoTokenVerifier, type Jwk } from '../../../functions/websocket/cognito-token';
import { getTestEvent } from '../../support/events';
import { setEnv } from '../../support/invoke-agent-server';
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

describe('Handler: WebSocket $connect authorizer', () => {
  describe('API-key mode', () => {
    let restore: () => void;
    beforeAll(() => {
      restore = setEnv({ AUTH_MODE: 'api-keys' });
    });
    afterAll(() => restore());

    it('allows the connection for API Gateway to check the key against the usage plan', async () => {
      // Act
      const result = await handler(connectEvent({ token: API_KEY }));
      // Assess
      const owner = ownerFromApiKey(API_KEY);
      expect(result).toEqual({
        principalId: owner,
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
        context: { owner },
      });
      // The same owner as REST derives from the same key: a streamed conversation is readable over REST.
      expect(owner).toMatch(/^apikey:[0-9a-f]{32}$/);
      expect(JSON.stringify(result.context)).not.toContain(API_KEY);
    });

    it('namespaces an app’s own user id under the key', async () => {
      const result = await handler(connectEvent({ token: API_KEY, userId: 'alex' }));
      expect(result.context.owner).toBe(ownerFromApiKey(API_KEY, 'alex'));
    });

    it.each([
      { name: 'no token', query: null },
      { name: 'an empty token', query: { token: '' } },
      { name: 'a token too short to be a key', query: { token: 'short' } },
      { name: 'a token with spaces', query: { token: `${API_KEY} x` } },
      { name: 'a malformed userId', query: { token: API_KEY, userId: 'a/b' } },
    ])('answers 401 for $name', async ({ query }) => {
      await expect(handler(connectEvent(query as Record<string, string> | null))).rejects.toThrow(
        'Unauthorized',
      );
    });
  });

  describe('Cognito mode', () => {
    const POOL = 'us-east-1_AbCdEf123';
    const CLIENT = '4example0client0id0abcdef';
    const NOW = Date.parse('2026-03-01T10:16:00Z');
    let privateKey: KeyObject;
    let jwks: Jwk[];
    let loads = 0;

    beforeAll(() => {
      const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
      privateKey = pair.privateKey;
      jwks = [
        { ...(pair.publicKey.export({ format: 'jwk' }) as Jwk), kid: 'key-1', alg: 'RS256', use: 'sig' },
      ];
    });

    const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const token = (
      claims: Record<string, unknown> = {},
      header: Record<string, unknown> = {},
      key = privateKey,
    ) => {
      const head = b64({ kid: 'key-1', alg: 'RS256', ...header });
      const body = b64({
        sub: '7d4e2b90-1111-4c3a-9e0b-2f6a8c1d5e77',
        iss: `https://cognito-idp.us-east-1.amazonaws.com/${POOL}`,
        aud: CLIENT,
        token_use: 'id',
        iat: NOW / 1000 - 60,
        exp: NOW / 1000 + 3000,
        ...claims,
      });
      const signature = sign('RSA-SHA256', Buffer.from(`${head}.${body}`), key).toString('base64url');
      return `${head}.${body}.${signature}`;
    };
    const authorizer = () =>
      createAuthorizer({
        mode: 'cognito',
        verifier: new CognitoTokenVerifier({
          userPoolId: POOL,
          clientIds: [CLIENT],
          now: () => NOW,
          loadJwks: async () => {
            loads++;
            return jwks;
          },
        }),
      });

    it('allows a valid ID token and makes its sub the owner (no API key involved)', async () => {
      const result = await authorizer()(connectEvent({ token: token() }));
      expect(result.context.owner).toBe('cognito:7d4e2b90-1111-4c3a-9e0b-2f6a8c1d5e77');
      expect(result.usageIdentifierKey).toBeUndefined();
    });

    it('caches the pool’s keys between connections', async () => {
      const auth = authorizer();
      loads = 0;
      await auth(connectEvent({ token: token() }));
      await auth(connectEvent({ token: token() }));
      expect(loads).toBe(1);
    });

    it.each([
      { name: 'an expired token', make: () => token({ exp: NOW / 1000 - 120 }) },
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
          return `${h}.${b64({ sub: 'admin', iss: `https://cognito-idp.us-east-1.amazonaws.com/${POOL}`, aud: CLIENT, token_use: 'id', exp: NOW / 1000 + 3000 })}.${s}`;
        },
      },
      { name: 'garbage', make: () => 'not.a.jwt' },
    ])('answers 401 for $name', async ({ make }) => {
      await expect(authorizer()(connectEvent({ token: make() }))).rejects.toThrow('Unauthorized');
    });
  });
});
