import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { createListConversationsHandler } from '../../../functions/chat/list-conversations-handler';
import type { IdentitySettings } from '../../../functions/shared/caller';
import { DynamoConversationLister } from '../../../functions/shared/conversation-list';
import { type TurnRecord, toMessageItems } from '../../../functions/shared/conversation-store';
import { ownerFromCognitoSub, ownerOfApp } from '../../../functions/shared/owner';
import { TABLE_KEYS } from '../../../infra/constructs/data';
import { type LocalDynamo, startDynalite } from '../../support/dynalite';
import { getTestEvent } from '../../support/events';

const TABLE = 'kass-test-Conversations';
/** API key ids and the apps they belong to (the stack maps them at synth: API_KEY_APPS). */
const KEY = 'k1a2b3c4d5';
const OTHER_KEY = 'k0th3rk3y1';
const IDENTITY: IdentitySettings = {
  apiKeyApps: { [KEY]: 'web-app', [OTHER_KEY]: 'other-app' },
  operatorGroups: [],
  operatorUserIds: [],
};

const listEvent = (
  query: Record<string, string> | null,
  patch: (e: APIGatewayProxyEvent) => void = () => {},
) => {
  const event = getTestEvent<APIGatewayProxyEvent>({
    eventsPath: 'apigw',
    filename: 'rest-list-conversations',
  });
  event.queryStringParameters = query;
  patch(event);
  return event;
};
const withKey = (keyId: string) => (e: APIGatewayProxyEvent) => {
  e.requestContext.identity.apiKeyId = keyId;
};
const body = (r: APIGatewayProxyResult) => JSON.parse(r.body) as Record<string, unknown>;

const turn = (owner: string, conversationId: string, minute: number, question: string): TurnRecord => ({
  conversationId,
  owner,
  token: `turn-${conversationId}-${minute}`,
  channel: 'websocket',
  question,
  askedAt: Date.parse('2026-03-01T10:00:00.000Z') + minute * 60_000,
  answer: `Answer to ${question}`,
  answeredAt: Date.parse('2026-03-01T10:00:02.000Z') + minute * 60_000,
  citations: [],
  toolCalls: [],
});

describe('Handler: GET /conversations', () => {
  let ddb: LocalDynamo;
  let doc: DynamoDBDocumentClient;
  const alice = ownerOfApp('web-app', 'alice');

  beforeAll(async () => {
    ddb = await startDynalite({
      tables: [
        {
          name: TABLE,
          partitionKey: TABLE_KEYS.conversations.partitionKey,
          sortKey: TABLE_KEYS.conversations.sortKey,
          indexes: [
            { name: TABLE_KEYS.conversations.userIndex, partitionKey: 'user_id', sortKey: 'created_at' },
          ],
        },
      ],
    });
    doc = DynamoDBDocumentClient.from(ddb.client);
    const turns = [
      turn(alice, 'conv-a', 0, 'How do I set up the VPN?'),
      turn(alice, 'conv-a', 5, 'And on Linux?'),
      turn(alice, 'conv-b', 10, 'Who is on call?'),
      turn(alice, 'conv-c', 20, 'Open a ticket for the printer'),
      turn(ownerOfApp('web-app', 'bob'), 'conv-bob', 30, 'Bob’s secret question'),
      turn(ownerOfApp('other-app'), 'conv-other-app', 40, 'Another app’s question'),
      turn(ownerFromCognitoSub('0f7c-sub'), 'conv-cognito', 50, 'Signed-in question'),
    ];
    const items = turns.flatMap((t) => toMessageItems(t, 30));
    for (let i = 0; i < items.length; i += 25) {
      await doc.send(
        new BatchWriteCommand({
          RequestItems: { [TABLE]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) },
        }),
      );
    }
  });
  afterAll(() => ddb.stop());

  const handler = (maxItems?: number) =>
    createListConversationsHandler({
      lister: new DynamoConversationLister(doc, TABLE, TABLE_KEYS.conversations.userIndex, maxItems),
      identity: IDENTITY,
      allowedOrigins: ['http://localhost:3000'],
    });

  it('lists only the caller’s conversations, newest first, titled by their first question', async () => {
    // Act
    const result = await handler()(listEvent({ userId: 'alice' }, withKey(KEY)));
    // Assess
    expect(result.statusCode).toBe(200);
    expect(result.headers?.['Access-Control-Allow-Origin']).toBe('http://localhost:3000');
    expect(body(result)).toEqual({
      conversations: [
        {
          conversationId: 'conv-c',
          title: 'Open a ticket for the printer',
          updatedAt: '2026-03-01T10:20:02.000Z',
        },
        { conversationId: 'conv-b', title: 'Who is on call?', updatedAt: '2026-03-01T10:10:02.000Z' },
        {
          conversationId: 'conv-a',
          title: 'How do I set up the VPN?',
          updatedAt: '2026-03-01T10:05:02.000Z',
        },
      ],
    });
  });

  it.each([
    { who: 'the same key without a user id', query: null, key: KEY },
    { who: 'another user of the same key', query: { userId: 'mallory' }, key: KEY },
    { who: 'another app’s key with alice’s user id', query: { userId: 'alice' }, key: OTHER_KEY },
  ])('shows $who none of alice’s conversations', async ({ query, key }) => {
    const result = await handler()(listEvent(query, withKey(key)));
    const ids = (body(result).conversations as { conversationId: string }[]).map((c) => c.conversationId);
    expect(result.statusCode).toBe(200);
    expect(ids).not.toEqual(expect.arrayContaining(['conv-a']));
    expect(ids.some((id) => ['conv-a', 'conv-b', 'conv-c', 'conv-bob'].includes(id))).toBe(false);
  });

  it('takes the owner from the Cognito token and ignores a userId the client sends', async () => {
    const result = await handler()(
      listEvent({ userId: 'alice' }, (e) => {
        e.requestContext.authorizer = { claims: { sub: '0f7c-sub' } };
      }),
    );
    expect((body(result).conversations as { conversationId: string }[]).map((c) => c.conversationId)).toEqual(
      ['conv-cognito'],
    );
  });

  it('pages with limit and a token, and the pages together hold every conversation once', async () => {
    // Act
    const first = body(await handler()(listEvent({ userId: 'alice', limit: '2' }, withKey(KEY))));
    const second = body(
      await handler()(
        listEvent({ userId: 'alice', limit: '2', nextToken: String(first.nextToken) }, withKey(KEY)),
      ),
    );
    // Assess
    const ids = (page: Record<string, unknown>) =>
      (page.conversations as { conversationId: string }[]).map((c) => c.conversationId);
    expect(ids(first)).toEqual(['conv-c', 'conv-b']);
    expect(typeof first.nextToken).toBe('string');
    expect(ids(second)).toEqual(['conv-a']);
    expect(second.nextToken).toBeUndefined();
  });

  it('stops after maxItems messages and hands back a token to continue', async () => {
    const page = body(await handler(3)(listEvent({ userId: 'alice' }, withKey(KEY))));
    expect((page.conversations as unknown[]).length).toBeLessThanOrEqual(2);
    expect(typeof page.nextToken).toBe('string');
  });

  it.each([
    {
      name: 'a token of another owner',
      query: () => ({ userId: 'mallory', nextToken: 'x' }),
      detail: 'nextToken',
    },
    { name: 'a limit of 0', query: () => ({ limit: '0' }), detail: 'limit' },
    { name: 'a limit of 51', query: () => ({ limit: '51' }), detail: 'limit' },
    { name: 'a malformed user id', query: () => ({ userId: 'a b' }), detail: 'userId' },
  ])('answers 400 naming the parameter for $name', async ({ query, detail }) => {
    // Prepare: a real token of alice, replayed by mallory, when the case needs one.
    const aliceToken = String(
      body(await handler()(listEvent({ userId: 'alice', limit: '1' }, withKey(KEY)))).nextToken,
    );
    const q: Record<string, string> = query();
    if (q.nextToken) q.nextToken = aliceToken;
    // Act
    const result = await handler()(listEvent(q, withKey(KEY)));
    // Assess
    expect(result.statusCode).toBe(400);
    expect(JSON.stringify(body(result).details)).toContain(detail);
  });

  it('answers 401 when no identity reached the function', async () => {
    const result = await handler()(
      listEvent(null, (e) => {
        e.requestContext.identity.apiKey = null;
        e.requestContext.identity.apiKeyId = null;
      }),
    );
    expect(result.statusCode).toBe(401);
  });

  it('answers 503 without internal detail when the table cannot be read', async () => {
    const broken = createListConversationsHandler({
      identity: IDENTITY,
      lister: new DynamoConversationLister(doc, 'kass-missing-table', TABLE_KEYS.conversations.userIndex),
      allowedOrigins: [],
    });
    const result = await broken(listEvent(null, withKey(KEY)));
    expect(result.statusCode).toBe(503);
    expect(result.body).not.toMatch(/kass-missing-table|ResourceNotFound/);
  });
});
