import { buildAgentEvent } from '../../../action-groups/kit/event-builder';
import type {
  ConversationStore,
  LoadedConversation,
} from '../../../action-groups/summarize/conversation-store';
import { createSummarizeTool } from '../../../action-groups/summarize/tool';
import schema from '../../../schemas/summarize.yaml';
import { apiResponse } from '../../support/events';
import { bodyOf, FakeTextModel, summaryJson } from './support';

/**
 * summarize reads stored conversations, so it answers to the verified caller (the `userId` session attribute
 * the chat API sets): no caller, no stored conversation; a conversation is summarised only when every one of
 * its messages belongs to the caller.
 */

const OWNER = 'cognito:7d4e2b90-1111-4c3a-9e0b-2f6a8c1d5e77';

/** A store holding one conversation whose messages carry these owners (`undefined`: no user_id at all). */
function storeWith(owners: readonly (string | undefined)[]): ConversationStore {
  const conversation: LoadedConversation = {
    messages: owners.map((userId, i) => ({
      timestamp: `2025-05-01T10:00:0${i}.000Z`,
      role: i % 2 === 0 ? 'user' : 'assistant',
      content: `Message ${i} about the VPN.`,
      ...(userId === undefined ? {} : { userId }),
    })),
    complete: true,
    skipped: 0,
  };
  return { load: async () => conversation };
}

const summarizeEvent = (sessionAttributes: Record<string, string>) =>
  buildAgentEvent({
    group: 'summarize',
    schemaText: schema,
    operationId: 'summarizeConversation',
    params: { conversationId: 'conv-1' },
    sessionAttributes,
  });

describe('summarize: only the caller’s own stored conversations', () => {
  const tool = (store: ConversationStore, model: FakeTextModel) =>
    createSummarizeTool({ store, model, maxOutputTokens: 256 });

  it('refuses a stored conversation when the session carries no userId (403), without reading the model', async () => {
    // Prepare
    const model = new FakeTextModel(() => ({ text: summaryJson('A summary.') }));

    // Act
    const response = apiResponse(await tool(storeWith([OWNER, OWNER]), model)(summarizeEvent({})));

    // Assess
    expect(response.response.httpStatusCode).toBe(403);
    expect(String(bodyOf(response).error)).toMatch(/sign/i);
    expect(model.requests).toHaveLength(0);
  });

  it.each([
    { name: 'messages without an owner', owners: [undefined, undefined] },
    { name: 'one message of someone else', owners: [OWNER, 'cognito:someone-else'] },
    { name: 'an owner for some messages only', owners: [OWNER, undefined] },
  ])('answers as for an unknown id when the conversation has $name', async ({ owners }) => {
    // Prepare
    const model = new FakeTextModel(() => ({ text: summaryJson('A summary.') }));

    // Act
    const response = apiResponse(await tool(storeWith(owners), model)(summarizeEvent({ userId: OWNER })));

    // Assess
    expect(response.response.httpStatusCode).toBe(404);
    expect(model.requests).toHaveLength(0);
  });

  it('summarises the caller’s own conversation', async () => {
    const model = new FakeTextModel(() => ({ text: summaryJson('A summary.') }));
    const response = apiResponse(
      await tool(storeWith([OWNER, OWNER]), model)(summarizeEvent({ userId: OWNER })),
    );
    expect(response.response.httpStatusCode).toBe(200);
    expect(bodyOf(response).summary).toBe('A summary.');
  });
});
