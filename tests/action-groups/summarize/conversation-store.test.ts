import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DependencyFailed, DependencyUnavailable, Throttled } from '../../../action-groups/kit/errors';
import {
  DynamoConversationStore,
  toMessage,
  toStoreError,
} from '../../../action-groups/summarize/conversation-store';
import { type LocalDynamo, startDynalite } from '../../support/dynalite';
import { CONVERSATIONS_TABLE, chatItems, putItems, USER_ID } from './support';

describe('Class: DynamoConversationStore', () => {
  let ddb: LocalDynamo;
  let doc: DynamoDBDocumentClient;
  const table = CONVERSATIONS_TABLE.name;
  const contents = ['q1', 'a1', 'q2', 'a2', 'q3', 'a3', 'q4'];

  beforeAll(async () => {
    ddb = await startDynalite({ tables: [CONVERSATIONS_TABLE] });
    doc = DynamoDBDocumentClient.from(ddb.client);
    await putItems(ddb.client, table, [
      ...chatItems('conv-1', contents),
      ...chatItems('conv-other', ['not this one'], { userId: 'someone-else' }),
      // Items that are not messages: ignored, counted.
      { conversation_id: 'conv-odd', timestamp: '2025-05-01T09:00:00.000Z', role: 'system', content: 'x' },
      { conversation_id: 'conv-odd', timestamp: '2025-05-01T09:00:01.000Z', role: 'user', content: 42 },
      { conversation_id: 'conv-odd', timestamp: '2025-05-01T09:00:02.000Z', role: 'user', content: 'kept' },
    ]);
  });

  afterAll(async () => {
    await ddb.stop();
  });

  describe('Method: load', () => {
    it('reads every page and returns the messages oldest first', async () => {
      // Prepare
      const store = new DynamoConversationStore(doc, table, { pageSize: 2 });

      // Act
      const loaded = await store.load('conv-1');

      // Assess
      expect(loaded.complete).toBe(true);
      expect(loaded.skipped).toBe(0);
      expect(loaded.messages.map((m) => m.content)).toEqual(contents);
      expect(loaded.messages[0]).toEqual({
        timestamp: '2025-05-01T10:00:00.000Z',
        role: 'user',
        content: 'q1',
        userId: USER_ID,
      });
      expect(loaded.messages[1]?.role).toBe('assistant');
    });

    it('keeps the newest messages within maxChars and reports the rest as left out', async () => {
      // Prepare
      const store = new DynamoConversationStore(doc, table, { pageSize: 2 });

      // Act
      const loaded = await store.load('conv-1', { maxChars: 5 });

      // Assess
      expect(loaded).toMatchObject({ complete: false });
      expect(loaded.messages.map((m) => m.content)).toEqual(['a3', 'q4']);
    });

    it('returns at least the newest message, even one longer than maxChars', async () => {
      const loaded = await new DynamoConversationStore(doc, table).load('conv-1', { maxChars: 1 });
      expect(loaded.messages.map((m) => m.content)).toEqual(['q4']);
      expect(loaded.complete).toBe(false);
    });

    it('returns no message for an unknown conversation', async () => {
      await expect(new DynamoConversationStore(doc, table).load('conv-404')).resolves.toEqual({
        messages: [],
        complete: true,
        skipped: 0,
      });
    });

    it('ignores items that are not messages', async () => {
      const loaded = await new DynamoConversationStore(doc, table).load('conv-odd');
      expect(loaded.messages.map((m) => m.content)).toEqual(['kept']);
      expect(loaded.skipped).toBe(2);
    });

    it('maps a missing table to a 502 without its detail', async () => {
      // Act
      const error = await new DynamoConversationStore(doc, 'NoSuchTable')
        .load('conv-1')
        .catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(DependencyFailed);
      expect((error as Error).message).toBe('The conversation store could not be read.');
      expect((error as Error).cause).toMatchObject({ name: 'ResourceNotFoundException' });
    });
  });
});

describe('Function: toStoreError', () => {
  it.each([
    { name: 'ProvisionedThroughputExceededException', type: Throttled, status: 503 },
    { name: 'ThrottlingException', type: Throttled, status: 503 },
    { name: 'AccessDeniedException', type: DependencyFailed, status: 502 },
    { name: 'InternalServerError', type: DependencyUnavailable, status: 503 },
    { name: 'Error', type: DependencyUnavailable, status: 503 },
  ])('maps $name to $status', ({ name, type, status }) => {
    const error = toStoreError(Object.assign(new Error('arn:aws:dynamodb:secret detail'), { name }));
    expect(error).toBeInstanceOf(type);
    expect(error).toMatchObject({ status });
    expect(error.message).not.toContain('secret');
  });

  it('maps a thrown non-error to 503', () => {
    expect(toStoreError(undefined)).toBeInstanceOf(DependencyUnavailable);
  });
});

describe('Conversations item shape', () => {
  it('reads what the chat API writes', () => {
    // Prepare
    const [item] = chatItems('conv-1', ['hello']);

    // Act & Assess
    expect(item && toMessage({ ...item })).toEqual({
      timestamp: '2025-05-01T10:00:00.000Z',
      role: 'user',
      content: 'hello',
      userId: USER_ID,
    });
  });
});
