import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  type BatchWriteCommandInput,
  DynamoDBDocumentClient,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import type { AgentEvent, ChatEngine, TurnInput } from '../../../client';
import { DynamoAgentStateStore } from '../../../functions/shared/agent-state-store';
import { DynamoConversationWriter, type TurnRecord } from '../../../functions/shared/conversation-store';
import { StoreUnavailable, TurnSuperseded } from '../../../functions/shared/errors';
import { runTurn, type TurnDeps } from '../../../functions/shared/turn';
import { countItems, startChatWorld, TABLES, useChatWorld } from './support/chat-world';

/**
 * A turn is stored whole or not at all, and a turn that outlived its lease cannot overwrite the newer turn
 * that took the session over: neither its status nor its messages.
 */

const OWNER = 'cognito:7d4e2b90-1111-4c3a-9e0b-2f6a8c1d5e77';
const CALLER = { userId: OWNER, roles: [] };
const FIRST = '11111111-1111-4111-8111-111111111111';
const SECOND = '22222222-2222-4222-8222-222222222222';

describe('Agent State: a late finish cannot overwrite a newer turn', () => {
  const world = useChatWorld();

  it('refuses the finish of a turn whose lease expired and whose session another turn holds', async () => {
    // Prepare: turn 1 claims the session with a 1 s lease; 5 s later turn 2 takes the session over
    const store = new DynamoAgentStateStore(world.doc, TABLES.agentState, 30);
    const t0 = Date.parse('2026-03-01T10:00:00Z');
    const claim = { sessionId: 'conv-late', owner: OWNER, channel: 'websocket' as const };
    await store.begin({ ...claim, token: FIRST, nowMs: t0, leaseMs: 1_000 });
    await store.begin({ ...claim, token: SECOND, nowMs: t0 + 5_000, leaseMs: 60_000 });

    // Act: turn 1 finally finishes, with its (stale) token
    const late = store.finish({
      ...claim,
      token: FIRST,
      status: 'FAILED',
      errorKind: 'Late',
      nowMs: t0 + 6_000,
      latencyMs: 6_000,
    });

    // Assess: refused, and the record is still turn 2's
    await expect(late).rejects.toBeInstanceOf(TurnSuperseded);
    const [item] = await world.scan(TABLES.agentState);
    expect(item).toMatchObject({ status: 'IN_PROGRESS', lease_until: t0 + 65_000, turn_token: SECOND });
    expect(item?.last_error).toBeUndefined();
    // Turn 2 finishes with its own token.
    await store.finish({ ...claim, token: SECOND, status: 'COMPLETED', nowMs: t0 + 7_000, latencyMs: 2_000 });
    expect((await world.scan(TABLES.agentState))[0]).toMatchObject({ status: 'COMPLETED' });
  });

  it('stores neither the status nor the messages of a turn that outlived its lease', async () => {
    // Prepare: an engine whose first turn waits until the second one is over
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let clock = Date.parse('2026-03-01T10:00:00Z');
    let calls = 0;
    const engine: ChatEngine = {
      async *stream(input: TurnInput): AsyncGenerator<AgentEvent, void, undefined> {
        const mine = ++calls;
        if (mine === 1) await held;
        yield { type: 'text', text: mine === 1 ? 'Late answer.' : 'Fresh answer.' };
        yield {
          type: 'done',
          sessionId: input.sessionId ?? '',
          usage: { inputTokens: 1, outputTokens: 1, modelCalls: 1 },
          files: [],
        } as AgentEvent;
      },
      ask: async () => {
        throw new Error('not used');
      },
    };
    const deps: TurnDeps = {
      engine,
      conversations: new DynamoConversationWriter(world.doc, TABLES.conversations, 30, TABLES.agentState),
      agentState: new DynamoAgentStateStore(world.doc, TABLES.agentState, 30),
      deadlineMs: 60_000,
      leaseMs: 1_000,
      memory: false,
      confirmations: 'deny',
      now: () => clock,
    };

    // Act: turn 1 starts and stalls; its lease runs out; turn 2 runs to completion; then turn 1 ends
    const late = runTurn(deps, {
      caller: CALLER,
      channel: 'websocket',
      conversationId: 'conv-race',
      message: 'First?',
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    clock += 10_000;
    await runTurn(deps, {
      caller: CALLER,
      channel: 'websocket',
      conversationId: 'conv-race',
      message: 'Second?',
    });
    clock += 1_000;
    release();
    const lateOutcome = await late.catch((error: unknown) => error);

    // Assess: turn 1 is refused; only turn 2 is stored, and the session shows turn 2's completion
    expect(lateOutcome).toBeInstanceOf(TurnSuperseded);
    const items = await world.scan(TABLES.conversations);
    expect(items.map((i) => i.content).sort()).toEqual(['Fresh answer.', 'Second?']);
    expect((await world.scan(TABLES.agentState))[0]).toMatchObject({ status: 'COMPLETED', turns: 1 });
  });
});

describe('Conversations: a turn is stored whole or not at all', () => {
  const turn: TurnRecord = {
    conversationId: 'conv-half',
    owner: OWNER,
    token: FIRST,
    channel: 'rest',
    question: 'How do I set up the VPN?',
    askedAt: Date.parse('2026-03-01T10:00:00.000Z'),
    answer: 'Install the client.',
    answeredAt: Date.parse('2026-03-01T10:00:04.250Z'),
    citations: [],
    toolCalls: [],
  };

  it('leaves no half turn when the second (assistant) write fails', async () => {
    // Prepare: a table where writing the assistant item always fails (e.g. throttled or too large)
    const table = new Map<string, Record<string, unknown>>();
    const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
    const ddb = mockClient(doc);
    const fails = (item: Record<string, unknown>) => item.role === 'assistant';
    ddb.on(BatchWriteCommand).callsFake((input: BatchWriteCommandInput) => {
      const requests = Object.values(input.RequestItems ?? {})[0] ?? [];
      const unprocessed = requests.filter((r) => r.PutRequest?.Item && fails(r.PutRequest.Item));
      for (const r of requests) {
        const item = r.PutRequest?.Item;
        if (item && !fails(item)) table.set(`${item.conversation_id}#${item.timestamp}`, item);
      }
      return { UnprocessedItems: unprocessed.length > 0 ? { [TABLES.conversations]: unprocessed } : {} };
    });
    ddb.on(TransactWriteCommand).callsFake((input: TransactWriteCommandInput) => {
      const puts = (input.TransactItems ?? []).flatMap((t) => (t.Put?.Item ? [t.Put.Item] : []));
      if (puts.some(fails)) {
        throw Object.assign(new Error('Transaction cancelled'), { name: 'TransactionCanceledException' });
      }
      for (const item of puts) table.set(`${item.conversation_id}#${item.timestamp}`, item);
      return {};
    });
    const writer = new DynamoConversationWriter(doc, TABLES.conversations, 30, TABLES.agentState);

    // Act
    const outcome = await writer.writeTurn(turn).then(
      () => 'stored',
      () => 'failed',
    );

    // Assess
    expect(outcome).toBe('failed');
    expect([...table.values()]).toEqual([]);
    ddb.restore();
  });

  it('writes both messages of a turn that holds its session, in one transaction (dynalite)', async () => {
    const world = await startChatWorld();
    try {
      // Prepare
      const store = new DynamoAgentStateStore(world.doc, TABLES.agentState, 30);
      const writer = new DynamoConversationWriter(world.doc, TABLES.conversations, 30, TABLES.agentState);
      const claim = {
        sessionId: turn.conversationId,
        owner: OWNER,
        channel: 'rest' as const,
        leaseMs: 30_000,
      };
      await store.begin({ ...claim, token: FIRST, nowMs: turn.askedAt });

      // Act
      await writer.writeTurn(turn);
      await store.begin({ ...claim, token: SECOND, nowMs: turn.answeredAt + 60_000 });
      const stale = await writer
        .writeTurn({ ...turn, askedAt: turn.askedAt + 1, answeredAt: turn.answeredAt + 1 })
        .catch((e: unknown) => e);

      // Assess: the first write stored both items; the stale one (another turn holds the session) nothing
      expect(await countItems(world, TABLES.conversations)).toBe(2);
      expect(stale).toBeInstanceOf(TurnSuperseded);
      expect((await world.scan(TABLES.agentState))[0]).not.toHaveProperty('__transactionCheck');
    } finally {
      await world.stop();
    }
  });

  it('never overwrites a message that is already stored (the whole turn is refused instead)', async () => {
    const world = await startChatWorld();
    try {
      // Prepare
      const store = new DynamoAgentStateStore(world.doc, TABLES.agentState, 30);
      const writer = new DynamoConversationWriter(world.doc, TABLES.conversations, 30, TABLES.agentState);
      await store.begin({
        sessionId: turn.conversationId,
        owner: OWNER,
        channel: 'rest',
        token: FIRST,
        nowMs: turn.askedAt,
        leaseMs: 30_000,
      });
      await writer.writeTurn(turn);

      // Act: the same keys again, other content
      const again = await writer
        .writeTurn({ ...turn, question: 'Overwrite?', answer: 'Overwritten.' })
        .catch((e: unknown) => e);

      // Assess
      expect(again).toBeInstanceOf(StoreUnavailable);
      expect((await world.scan(TABLES.conversations)).map((i) => i.content).sort()).toEqual([
        'How do I set up the VPN?',
        'Install the client.',
      ]);
    } finally {
      await world.stop();
    }
  });
});
