import { APIGatewayClient, GetApiKeyCommand } from '@aws-sdk/client-api-gateway';
import { mockClient } from 'aws-sdk-client-mock';
import type { ConnectAuthorizerEvent } from '../../../functions/websocket/authorizer';
import { getTestEvent } from '../../support/events';
import { setEnv } from '../../support/invoke-agent-server';
import { API_KEY } from '../chat/support/chat-world';

/**
 * WebSocket `$connect` in API-key mode: the connection's owner is the app named by the key's id (the same
 * owner REST derives from `requestContext.identity.apiKeyId`) plus the user id the app asserts; never the
 * key value or a hash of it. The authorizer receives only the key value, so it resolves the ids of the
 * configured keys once (GetApiKey) and compares values in memory.
 */

const KEY_ID = 'k1a2b3c4d5';

const connect = (query: Record<string, string>): ConnectAuthorizerEvent => {
  const event = getTestEvent<ConnectAuthorizerEvent & { queryStringParameters: Record<string, string> }>({
    eventsPath: 'apigw',
    filename: 'websocket-authorizer-connect',
  });
  event.queryStringParameters = query;
  return event;
};

describe('Handler: WebSocket $connect authorizer — API keys name apps', () => {
  const apigw = mockClient(APIGatewayClient);
  let restore: () => void;
  let handler: (
    event: ConnectAuthorizerEvent,
  ) => Promise<{ principalId: string; context: Record<string, unknown>; usageIdentifierKey?: string }>;

  beforeAll(async () => {
    restore = setEnv({
      AUTH_MODE: 'api-keys',
      API_KEY_APPS: JSON.stringify({ [KEY_ID]: 'web-app' }),
      OPERATOR_USER_IDS: 'app:web-app:user:lead',
      AWS_REGION: 'us-east-1',
    });
    apigw
      .on(GetApiKeyCommand, { apiKey: KEY_ID, includeValue: true })
      .resolves({ id: KEY_ID, value: API_KEY, enabled: true });
    ({ handler } = (await import('../../../functions/websocket/authorizer')) as never);
  });
  afterAll(() => {
    restore();
    apigw.restore();
  });

  it('makes the owner app:<app>:user:<id> from the key id, and hands the key to API Gateway to check', async () => {
    // Act
    const result = await handler(connect({ token: API_KEY, userId: 'alex' }));

    // Assess
    expect(result.usageIdentifierKey).toBe(API_KEY);
    expect(result.context).toMatchObject({ owner: 'app:web-app:user:alex', app: 'web-app' });
    expect(JSON.stringify(result)).not.toMatch(/alex.*alex/); // the principal is not the free-text id
    expect(result.principalId).not.toContain('alex');
    expect(JSON.stringify(result.context)).not.toContain(API_KEY);
  });

  it('gives an operator listed by user id the operator role', async () => {
    const result = await handler(connect({ token: API_KEY, userId: 'lead' }));
    expect(result.context).toMatchObject({ owner: 'app:web-app:user:lead', roles: 'operator' });
  });

  it('refuses a key that is none of the configured apps’ keys', async () => {
    await expect(handler(connect({ token: 'kassSomeOtherKey0123456789abcdefghijKLMN' }))).rejects.toThrow(
      'Unauthorized',
    );
  });

  it('reads each configured key once, not per connection', async () => {
    await handler(connect({ token: API_KEY }));
    await handler(connect({ token: API_KEY, userId: 'x' }));
    expect(apigw.commandCalls(GetApiKeyCommand)).toHaveLength(1);
  });
});
