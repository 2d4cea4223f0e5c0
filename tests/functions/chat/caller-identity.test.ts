import { createHash } from 'node:crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { handler as getConversation } from '../../../functions/chat/conversations-handler';
import { handler as chat } from '../../../functions/chat/handler';
import { getTestEvent } from '../../support/events';
import { frame } from '../../support/invoke-agent-server';
import { perSuite } from '../../support/lifecycle';
import { API_KEY, startChatWorld } from './support/chat-world';

/**
 * One trusted identity per turn: the REST chat API derives the caller on the server (the Cognito `sub` and
 * groups; in API-key mode the app named by the key's id plus the user id the app asserts) and hands it to
 * the agent only as the session attributes it sets itself.
 */

const KEY_ID = 'k1a2b3c4d5';
const ROTATED_KEY_ID = 'k9z8y7x6w5';
const ROTATED_KEY = 'kassRotatedKey9876543210zyxwvutsrqPONMLK';
const SUB = '7d4e2b90-1111-4c3a-9e0b-2f6a8c1d5e77';

const restChat = (body: unknown, patch: (e: APIGatewayProxyEvent) => void = () => undefined) => {
  const event = getTestEvent<APIGatewayProxyEvent>({ eventsPath: 'apigw', filename: 'rest-chat' });
  event.body = JSON.stringify(body);
  patch(event);
  return event;
};
const cognitoChat = (body: unknown, groups?: string) => {
  const event = getTestEvent<APIGatewayProxyEvent>({ eventsPath: 'apigw', filename: 'rest-chat-cognito' });
  event.body = JSON.stringify(body);
  if (groups !== undefined) {
    (event.requestContext.authorizer as { claims: Record<string, string> }).claims['cognito:groups'] = groups;
  }
  return event;
};
const withKey = (id: string, value: string) => (e: APIGatewayProxyEvent) => {
  e.requestContext.identity.apiKeyId = id;
  e.requestContext.identity.apiKey = value;
  e.headers['x-api-key'] = value;
};
const readConversation = (
  conversationId: string,
  query: Record<string, string>,
  patch = withKey(KEY_ID, API_KEY),
) => {
  const event = getTestEvent<APIGatewayProxyEvent>({
    eventsPath: 'apigw',
    filename: 'rest-get-conversation',
  });
  event.pathParameters = { conversationId };
  event.queryStringParameters = query;
  patch(event);
  return getConversation(event);
};

describe('Chat API: the caller is derived on the server and reaches tools only as session attributes', () => {
  const world = perSuite(
    () =>
      startChatWorld({
        API_KEY_APPS: JSON.stringify({ [KEY_ID]: 'web-app', [ROTATED_KEY_ID]: 'web-app' }),
        OPERATOR_GROUPS: 'kass-operators',
        OPERATOR_USER_IDS: 'app:web-app:user:lead',
        TURN_LEASE_SECONDS: '30',
      }),
    (w) => w.stop(),
    (w) => w.reset(),
  );

  const lastAttributes = () => world.agent.requests.at(-1)?.body.sessionState?.sessionAttributes;

  it('API-key mode: the app named by the key id, plus the user id the app asserts', async () => {
    // Prepare
    world.agent.enqueue({ frames: [frame.text('Hi Alex.')] });

    // Act
    const result = await chat(restChat({ message: 'Hello', userId: 'alex' }, withKey(KEY_ID, API_KEY)));

    // Assess
    expect(result.statusCode).toBe(200);
    const { conversationId } = JSON.parse(result.body) as { conversationId: string };
    expect(lastAttributes()).toEqual({
      userId: 'app:web-app:user:alex',
      app: 'web-app',
      conversationId,
      channel: 'rest',
    });
    // Never the key value, nor a hash of it
    const digest = createHash('sha256').update(API_KEY).digest('hex').slice(0, 32);
    expect(JSON.stringify(world.agent.requests)).not.toContain(digest);
    expect(JSON.stringify(world.agent.requests)).not.toContain(API_KEY);
  });

  it('a rotated key of the same app keeps the app’s conversations reachable', async () => {
    // Prepare
    world.agent.enqueue({ frames: [frame.text('Noted.')] });
    const first = await chat(
      restChat({ message: 'Remember this.', userId: 'alex' }, withKey(KEY_ID, API_KEY)),
    );
    const { conversationId } = JSON.parse(first.body) as { conversationId: string };

    // Act
    const read = await readConversation(
      conversationId,
      { userId: 'alex' },
      withKey(ROTATED_KEY_ID, ROTATED_KEY),
    );
    const otherUser = await readConversation(
      conversationId,
      { userId: 'bob' },
      withKey(ROTATED_KEY_ID, ROTATED_KEY),
    );

    // Assess
    expect(read.statusCode).toBe(200);
    expect(otherUser.statusCode).toBe(404);
  });

  it('refuses a key whose id names no app (403), calling nothing', async () => {
    const result = await chat(
      restChat({ message: 'Hello' }, withKey('kUnknown01', 'kassUnknownKey0123456789abcdefghijABCDE')),
    );
    expect(result.statusCode).toBe(403);
    expect(JSON.parse(result.body).error).toMatch(/API key/);
    expect(world.agent.requests).toHaveLength(0);
  });

  it('Cognito mode: the token’s sub is the user, its groups give roles, a body userId changes nothing', async () => {
    // Prepare
    world.agent.enqueue({ frames: [frame.text('Hello operator.')] });

    // Act
    const result = await chat(
      cognitoChat({ message: 'Hello', userId: 'someone-else' }, 'kass-operators,staff'),
    );

    // Assess
    expect(result.statusCode).toBe(200);
    expect(lastAttributes()).toMatchObject({ userId: `cognito:${SUB}`, roles: 'operator', channel: 'rest' });
    expect(JSON.stringify(lastAttributes())).not.toContain('someone-else');
  });

  it('an operator listed by user id gets the role; nobody else does', async () => {
    // Prepare
    world.agent.enqueue({ frames: [frame.text('a')] }, { frames: [frame.text('b')] });

    // Act
    await chat(restChat({ message: 'Hi', userId: 'lead' }, withKey(KEY_ID, API_KEY)));
    const lead = lastAttributes();
    await chat(restChat({ message: 'Hi', userId: 'alex' }, withKey(KEY_ID, API_KEY)));
    const alex = lastAttributes();

    // Assess
    expect(lead).toMatchObject({ userId: 'app:web-app:user:lead', roles: 'operator' });
    expect(alex?.userId).toBe('app:web-app:user:alex');
    expect(alex?.roles).toBeUndefined();
  });

  it('rejects a body that tries to set session attributes or roles itself', async () => {
    const result = await chat(
      restChat(
        { message: 'Hi', sessionAttributes: { userId: 'admin' }, roles: 'operator' },
        withKey(KEY_ID, API_KEY),
      ),
    );
    expect(result.statusCode).toBe(400);
    expect(world.agent.requests).toHaveLength(0);
  });
});
