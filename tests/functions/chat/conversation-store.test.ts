import { PutCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { CONVERSATION_KEYS } from '../../../action-groups/summarize/conversation-store';
import type { Citation, ToolCallStep } from '../../../client';
import {
  DynamoConversationReader,
  STORED_CITATION_LIMITS,
  type StoredCitation,
  type TurnRecord,
  toMessageItems,
} from '../../../functions/shared/conversation-store';
import { ConversationNotFound, InvalidRequest } from '../../../functions/shared/errors';
import { expiresAtSeconds, expiresAtSecondsAfterHours } from '../../../functions/shared/ttl';
import { TABLE_KEYS } from '../../../infra/constructs/data';
import { type ChatWorld, startChatWorld, TABLES } from './support/chat-world';

const DAY = 86_400;

const turn = (patch: Partial<TurnRecord> = {}): TurnRecord => ({
  conversationId: 'conv-7f3a',
  owner: 'apikey:abc',
  token: '11111111-1111-4111-8111-111111111111',
  channel: 'rest',
  question: 'How do I set up the VPN?',
  askedAt: Date.parse('2026-03-01T10:00:00.000Z'),
  answer: 'Install the client.',
  answeredAt: Date.parse('2026-03-01T10:00:04.250Z'),
  citations: [],
  toolCalls: [],
  ...patch,
});

describe('Function: expiresAtSeconds', () => {
  it('is epoch seconds, whole, `days` after now (never milliseconds)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.parse('2020-01-01'), max: Date.parse('2100-01-01') }),
        fc.integer({ min: 1, max: 3650 }),
        (nowMs, days) => {
          const ttl = expiresAtSeconds(nowMs, days);
          expect(Number.isInteger(ttl)).toBe(true);
          expect(ttl).toBe(Math.floor(nowMs / 1000) + days * DAY);
          expect(ttl).toBeGreaterThan(nowMs / 1000);
          // Milliseconds would be ~1000× larger: DynamoDB would keep the item for millennia.
          expect(ttl).toBeLessThan(1e11);
        },
      ),
    );
  });

  it('counts hours for connection records', () => {
    expect(expiresAtSecondsAfterHours(1_772_360_160_000, 3)).toBe(1_772_360_160 + 3 * 3600);
  });
});

describe('Function: toMessageItems', () => {
  it('keeps a turn citing hundreds of long sources inside one DynamoDB item, counting what it left out', () => {
    // Prepare: 1,500 citations with long addresses (the item limit is 400 KB)
    const citations: Citation[] = Array.from({ length: 1_500 }, (_, i) => ({
      text: `Sentence ${i} ${'t'.repeat(800)}`,
      references: [
        { uri: `s3://docs/${'u'.repeat(2_000)}-${i}.md`, sourceType: 'S3', text: 'x'.repeat(5_000) },
      ],
    }));

    // Act
    const [, assistant] = toMessageItems(turn({ citations }), 30);

    // Assess
    expect(Buffer.byteLength(JSON.stringify(assistant))).toBeLessThan(300 * 1024);
    const stored = assistant.citations as StoredCitation[];
    expect(stored.length).toBeGreaterThan(0);
    expect(assistant.citations_omitted).toBe(1_500 - stored.length);
    expect(Array.from(stored[0]?.text ?? '')).toHaveLength(STORED_CITATION_LIMITS.textChars);
  });

  it('writes one user and one assistant item with the table’s keys and a 30-day TTL', () => {
    // Act
    const [user, assistant] = toMessageItems(turn(), 30);
    // Assess
    expect(user).toEqual({
      conversation_id: 'conv-7f3a',
      timestamp: '2026-03-01T10:00:00.000Z',
      role: 'user',
      content: 'How do I set up the VPN?',
      user_id: 'apikey:abc',
      created_at: '2026-03-01T10:00:00.000Z',
      expires_at: Math.floor(Date.parse('2026-03-01T10:00:04.250Z') / 1000) + 30 * DAY,
      channel: 'rest',
    });
    expect(assistant).toMatchObject({
      timestamp: '2026-03-01T10:00:04.250Z',
      role: 'assistant',
      latency_ms: 4250,
      citations: [],
      tool_calls: [],
    });
  });

  it('uses the attribute names of the table and of the summarize tool (contract)', () => {
    const [user] = toMessageItems(turn(), 30);
    const c = TABLE_KEYS.conversations;
    for (const key of [c.partitionKey, c.sortKey, c.ttl, 'user_id', 'created_at'])
      expect(user).toHaveProperty(key);
    expect(CONVERSATION_KEYS).toMatchObject({
      partitionKey: c.partitionKey,
      sortKey: c.sortKey,
      ttl: c.ttl,
      userIndex: c.userIndex,
    });
  });

  it('keeps the answer after the question when both land in the same millisecond', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.parse('2020-01-01'), max: Date.parse('2100-01-01') }),
        fc.nat(5),
        (at, gap) => {
          const [user, assistant] = toMessageItems(turn({ askedAt: at, answeredAt: at + gap }), 30);
          expect(assistant.timestamp > user.timestamp).toBe(true);
          expect(assistant.created_at).toBe(new Date(at + gap).toISOString());
        },
      ),
    );
    expect(toMessageItems(turn({ answeredAt: turn().askedAt }), 30)[1].timestamp).toBe(
      '2026-03-01T10:00:00.000Z#1',
    );
  });

  it('stores citations by source and tool calls by operation, without passages or arguments', () => {
    // Prepare
    const citations: Citation[] = [
      {
        text: 'Install the client.',
        span: { start: 0, end: 19 },
        references: [
          {
            uri: 's3://docs/vpn.md',
            sourceType: 'S3',
            text: 'A long retrieved passage…',
            metadata: { team: 'it' },
          },
        ],
      },
    ];
    const toolCalls: ToolCallStep[] = [
      {
        kind: 'toolCall',
        phase: 'orchestration',
        actionGroup: 'report',
        apiPath: '/tickets',
        httpMethod: 'post',
        parameters: {},
        body: { email: 'a@b.c' },
      },
      {
        kind: 'toolCall',
        phase: 'orchestration',
        actionGroup: 'summarize',
        function: 'summarizeText',
        parameters: { text: 'x' },
      },
    ];
    // Act
    const [, assistant] = toMessageItems(
      turn({ citations, toolCalls, usage: { inputTokens: 10, outputTokens: 5, modelCalls: 2 } }),
      30,
    );
    // Assess
    expect(assistant).toMatchObject({
      citations: [
        {
          text: 'Install the client.',
          span: { start: 0, end: 19 },
          sources: [{ uri: 's3://docs/vpn.md', source_type: 'S3' }],
        },
      ],
      tool_calls: [
        { action_group: 'report', operation: 'POST /tickets' },
        { action_group: 'summarize', operation: 'summarizeText' },
      ],
      input_tokens: 10,
      output_tokens: 5,
      model_calls: 2,
    });
    expect(JSON.stringify(assistant)).not.toMatch(/passage|a@b\.c/);
  });
});

describe('Class: DynamoConversationReader', () => {
  let world: ChatWorld;
  beforeAll(async () => {
    world = await startChatWorld();
  });
  afterAll(async () => {
    await world.stop();
  });

  const put = async (conversationId: string, owner: string, count: number) => {
    for (let i = 0; i < count; i++) {
      const at = new Date(Date.parse('2026-03-01T10:00:00Z') + i * 1000).toISOString();
      await world.doc.send(
        new PutCommand({
          TableName: TABLES.conversations,
          Item: {
            conversation_id: conversationId,
            timestamp: at,
            role: i % 2 ? 'assistant' : 'user',
            content: `m${i}`,
            user_id: owner,
            created_at: at,
            expires_at: 1,
          },
        }),
      );
    }
  };

  it('pages through a conversation oldest first with an opaque token', async () => {
    // Prepare
    await put('conv-paged', 'apikey:me', 5);
    const reader = new DynamoConversationReader(world.doc, TABLES.conversations, 2);
    // Act
    const contents: string[] = [];
    let token: string | undefined;
    do {
      const page = await reader.read('conv-paged', 'apikey:me', token ? { nextToken: token } : {});
      contents.push(...page.messages.map((m) => m.content));
      token = page.nextToken;
    } while (token);
    // Assess
    expect(contents).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
  });

  it('rejects a token of another conversation', async () => {
    await put('conv-a', 'apikey:me', 3);
    const reader = new DynamoConversationReader(world.doc, TABLES.conversations, 2);
    const { nextToken } = await reader.read('conv-a', 'apikey:me');
    await expect(
      reader.read('conv-paged', 'apikey:me', { nextToken: nextToken as string }),
    ).rejects.toBeInstanceOf(InvalidRequest);
    await expect(reader.read('conv-a', 'apikey:me', { nextToken: 'not-a-token' })).rejects.toBeInstanceOf(
      InvalidRequest,
    );
  });

  it('reports a conversation of another owner as not found', async () => {
    await put('conv-theirs', 'apikey:them', 2);
    const reader = new DynamoConversationReader(world.doc, TABLES.conversations, 10);
    await expect(reader.read('conv-theirs', 'apikey:me')).rejects.toBeInstanceOf(ConversationNotFound);
  });
});
