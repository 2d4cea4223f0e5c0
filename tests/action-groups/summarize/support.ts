import type { ConverseCommandInput, ConverseCommandOutput } from '@aws-sdk/client-bedrock-runtime';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { AgentApiResponse } from '../../../action-groups/kit/response';
import type {
  TextCompletion,
  TextCompletionRequest,
  TextModel,
} from '../../../action-groups/shared/text-model';
import { type ConversationItem, type ConversationRole, TABLE_KEYS } from '../../../contracts/tables';
import type { TableSpec } from '../../support/dynalite';

/** The Conversations table exactly as `infra/constructs/data.ts` declares it (keys and GSI). */
export const CONVERSATIONS_TABLE: TableSpec = {
  name: 'Conversations',
  partitionKey: TABLE_KEYS.conversations.partitionKey,
  sortKey: TABLE_KEYS.conversations.sortKey,
  indexes: [{ name: TABLE_KEYS.conversations.userIndex, partitionKey: 'user_id', sortKey: 'created_at' }],
};

export const TOOL_LOGS_TABLE: TableSpec = {
  name: 'ToolLogs',
  partitionKey: TABLE_KEYS.toolLogs.partitionKey,
  sortKey: TABLE_KEYS.toolLogs.sortKey,
};

export const USER_ID = 'discord-118765432109876543';

/** A chat turn as the chat API writes it: one second apart from `start`, alternating user and assistant. */
export function chatItems(
  conversationId: string,
  contents: readonly string[],
  options: { userId?: string; start?: number } = {},
): ConversationItem[] {
  const start = options.start ?? Date.UTC(2025, 4, 1, 10, 0, 0);
  return contents.map((content, i) => {
    const at = new Date(start + i * 1000).toISOString();
    const role: ConversationRole = i % 2 === 0 ? 'user' : 'assistant';
    return {
      conversation_id: conversationId,
      timestamp: at,
      role,
      content,
      user_id: options.userId ?? USER_ID,
      created_at: at,
      expires_at: Math.floor(start / 1000) + 90 * 86400,
    };
  });
}

/** Writes items with PutItem (the real protocol), newest first so the order comes from the sort key. */
export async function putItems(
  client: DynamoDBClient,
  table: string,
  items: readonly object[],
): Promise<void> {
  const doc = DynamoDBDocumentClient.from(client);
  for (const item of [...items].reverse()) {
    await doc.send(new PutCommand({ TableName: table, Item: item as Record<string, unknown> }));
  }
}

/** A Converse answer with the given text. */
export const converseReply = (text: string, stopReason = 'end_turn'): ConverseCommandOutput => ({
  $metadata: {},
  output: { message: { role: 'assistant', content: [{ text }] } },
  stopReason: stopReason as ConverseCommandOutput['stopReason'],
  usage: { inputTokens: 100, outputTokens: 20, totalTokens: 120 },
  metrics: { latencyMs: 5 },
});

export const summaryJson = (summary: string, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ summary, keyPoints: [], actionItems: [], sentiment: 'neutral', ...extra });

/** The data a Converse call carried: the text between the markers of its user turn. */
export function dataOf(input: Partial<ConverseCommandInput> | undefined): string {
  const text = input?.messages?.[0]?.content?.[0]?.text ?? '';
  const match = /<kass-data>\n([\s\S]*)\n<\/kass-data>/.exec(text);
  return match?.[1] ?? '';
}

export const systemOf = (input: Partial<ConverseCommandInput> | undefined): string =>
  input?.system?.[0]?.text ?? '';

export const bodyOf = (response: AgentApiResponse): Record<string, unknown> =>
  JSON.parse(response.response.responseBody['application/json'].body) as Record<string, unknown>;

/** A TextModel that answers from a function and records every request. */
export class FakeTextModel implements TextModel {
  readonly requests: TextCompletionRequest[] = [];

  constructor(private readonly answer: (request: TextCompletionRequest) => Partial<TextCompletion> | Error) {}

  async complete(request: TextCompletionRequest): Promise<TextCompletion> {
    this.requests.push(request);
    const out = this.answer(request);
    if (out instanceof Error) throw out;
    return {
      text: '',
      inputTokens: 1,
      outputTokens: 1,
      truncated: false,
      guardrailIntervened: false,
      ...out,
    };
  }
}
