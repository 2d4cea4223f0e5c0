import {
  BedrockRuntimeClient,
  ConverseCommand,
  type ConverseCommandInput,
} from '@aws-sdk/client-bedrock-runtime';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { buildAgentEvent } from '../../../action-groups/kit/event-builder';
import { missingHandlers, type ToolHandler } from '../../../action-groups/kit/tool';
import { ConverseTextModel } from '../../../action-groups/shared/text-model';
import { DynamoConversationStore } from '../../../action-groups/summarize/conversation-store';
import { BLOCKED_MESSAGE } from '../../../action-groups/summarize/domain';
import { DATA_RULE, renderMessage } from '../../../action-groups/summarize/prompt';
import { createSummarizeTool } from '../../../action-groups/summarize/tool';
import schema from '../../../schemas/summarize.yaml';
import { type LocalDynamo, startDynalite } from '../../support/dynalite';
import { agentFunctionTestEvent } from '../../support/events';
import {
  bodyOf,
  CONVERSATIONS_TABLE,
  chatItems,
  converseReply,
  dataOf,
  putItems,
  summaryJson,
  systemOf,
  TOOL_LOGS_TABLE,
  USER_ID,
} from './support';

const MODEL_ID = 'us.anthropic.claude-haiku-4-5-20251001-v1:0';
const ENV = {
  CONVERSATIONS_TABLE_NAME: CONVERSATIONS_TABLE.name,
  TOOL_LOGS_TABLE_NAME: TOOL_LOGS_TABLE.name,
  MAX_OUTPUT_TOKENS: '1024',
  MODEL_ID,
  GUARDRAIL_ID: 'gr123abc',
  GUARDRAIL_VERSION: '3',
};

const SHORT = [
  'Our VPN drops every 10 minutes since Monday.',
  'That matches a known issue with client 5.2; update to 5.3 and reconnect.',
  'Updated, it works. Can you open a ticket so IT checks the other laptops?',
  'Created TCK-2001 for IT to check the other laptops.',
];
const GOOD_ANSWER = summaryJson(
  'The VPN issue was fixed by updating the client; IT will check other laptops.',
  {
    keyPoints: ['VPN client 5.2 drops connections', 'Updating to 5.3 fixed it'],
    actionItems: ['IT: check the other laptops (TCK-2001)'],
    sentiment: 'positive',
  },
);

const conversationEvent = (
  params: Record<string, string | number>,
  sessionAttributes: Record<string, string> = { userId: USER_ID },
) =>
  buildAgentEvent({
    group: 'summarize',
    schemaText: schema,
    operationId: 'summarizeConversation',
    params,
    sessionAttributes,
  });

const textEvent = (body: Record<string, unknown>) =>
  buildAgentEvent({ group: 'summarize', schemaText: schema, operationId: 'summarizeText', body });

describe('Handler: summarize action group', () => {
  const bedrock = mockClient(BedrockRuntimeClient);
  const saved = { ...process.env };
  let ddb: LocalDynamo;
  let handler: ToolHandler;

  beforeAll(async () => {
    ddb = await startDynalite({ tables: [CONVERSATIONS_TABLE, TOOL_LOGS_TABLE] });
    // The Lambda builds its clients from standard SDK configuration: point DynamoDB at dynalite.
    Object.assign(process.env, ENV, {
      AWS_ENDPOINT_URL_DYNAMODB: ddb.endpoint,
      AWS_ACCESS_KEY_ID: ddb.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: ddb.credentials.secretAccessKey,
    });
    ({ handler } = await import('../../../action-groups/summarize/handler'));
    await putItems(ddb.client, CONVERSATIONS_TABLE.name, [
      ...chatItems('conv-short', SHORT),
      ...chatItems('conv-foreign', ['A private chat.'], { userId: 'discord-999' }),
      ...chatItems('conv-7f3a9c', SHORT),
    ]);
  });

  afterAll(async () => {
    process.env = saved;
    await ddb.stop();
  });

  beforeEach(() => {
    bedrock.reset();
  });

  const converseCalls = (): ConverseCommandInput[] =>
    bedrock.commandCalls(ConverseCommand).map((c) => c.args[0].input);

  describe('Operation: summarizeConversation', () => {
    it('summarizes a short conversation in one Converse call with the model, guardrail and limits', async () => {
      // Prepare
      bedrock.on(ConverseCommand).resolves(converseReply(GOOD_ANSWER));

      // Act
      const response = await handler(conversationEvent({ conversationId: 'conv-short' }));

      // Assess
      expect(response.response).toMatchObject({
        httpStatusCode: 200,
        actionGroup: 'summarize',
        apiPath: '/conversations/{conversationId}/summary',
        httpMethod: 'GET',
      });
      expect(bodyOf(response)).toEqual({
        summary: 'The VPN issue was fixed by updating the client; IT will check other laptops.',
        keyPoints: ['VPN client 5.2 drops connections', 'Updating to 5.3 fixed it'],
        actionItems: ['IT: check the other laptops (TCK-2001)'],
        sentiment: 'positive',
        chunks: 1,
      });
      expect(response.sessionAttributes).toEqual({ userId: USER_ID });
      expect(bedrock).toHaveReceivedCommandTimes(ConverseCommand, 1);
      expect(bedrock).toHaveReceivedCommandWith(ConverseCommand, {
        modelId: MODEL_ID,
        guardrailConfig: { guardrailIdentifier: 'gr123abc', guardrailVersion: '3' },
        inferenceConfig: { maxTokens: 1024, temperature: 0.2 },
      });
      const [call] = converseCalls();
      expect(systemOf(call)).toContain(DATA_RULE);
      expect(systemOf(call)).toContain('keyPoints: at most 5');
      expect(dataOf(call)).toBe(
        chatItems('conv-short', SHORT)
          .map((item) => renderMessage({ timestamp: item.timestamp, role: item.role, content: item.content }))
          .join('\n\n'),
      );
    });

    it('passes maxKeyPoints and focus on and records the call in ToolLogs', async () => {
      // Prepare
      bedrock.on(ConverseCommand).resolves(converseReply(GOOD_ANSWER));

      // Act
      const response = await handler(
        conversationEvent({ conversationId: 'conv-short', maxKeyPoints: 1, focus: 'follow-ups' }),
      );

      // Assess
      expect(bodyOf(response).keyPoints).toEqual(['VPN client 5.2 drops connections']);
      const system = systemOf(converseCalls()[0] ?? {});
      expect(system).toContain('keyPoints: at most 1');
      expect(system).toContain('"follow-ups"');
      const logs = await ddb.client.send(new ScanCommand({ TableName: TOOL_LOGS_TABLE.name }));
      expect(logs.Items?.some((item) => item.operation?.S === 'summarizeConversation')).toBe(true);
    });

    it('serves the same operation called as a function (the shared function-details event)', async () => {
      // Prepare: the fixture names summarizeConversation and sends maxBullets, a parameter the schema lacks.
      bedrock.on(ConverseCommand).resolves(converseReply(GOOD_ANSWER));
      const event = agentFunctionTestEvent('function-details');

      // Act
      const response = await handler(event);

      // Assess
      expect(response.response).toMatchObject({
        actionGroup: 'summarize',
        function: 'summarizeConversation',
      });
      expect(response.response.functionResponse.responseState).toBeUndefined();
      expect(JSON.parse(response.response.functionResponse.responseBody.TEXT.body)).toMatchObject({
        summary: 'The VPN issue was fixed by updating the client; IT will check other laptops.',
        chunks: 1,
      });
      expect(response.sessionAttributes).toEqual({ userId: USER_ID });
      expect(systemOf(converseCalls()[0] ?? {})).toContain('keyPoints: at most 5');
    });

    it.each([
      { name: 'an unknown conversation', conversationId: 'conv-404' },
      { name: "another user's conversation", conversationId: 'conv-foreign' },
    ])('answers 404 for $name without calling the model', async ({ conversationId }) => {
      // Act
      const response = await handler(conversationEvent({ conversationId }));

      // Assess
      expect(response.response.httpStatusCode).toBe(404);
      expect(bodyOf(response)).toEqual({
        error: `No stored conversation has the id "${conversationId}". Check the id: for the current conversation use the conversationId from the session, and do not guess ids.`,
      });
      expect(bedrock).toHaveReceivedCommandTimes(ConverseCommand, 0);
    });

    it('answers 503 with a retry hint when the model is throttled', async () => {
      // Prepare
      bedrock.on(ConverseCommand).rejects(
        Object.assign(new Error('Too many tokens, arn:aws:bedrock:internal'), {
          name: 'ThrottlingException',
        }),
      );

      // Act
      const response = await handler(conversationEvent({ conversationId: 'conv-short' }));

      // Assess
      expect(response.response.httpStatusCode).toBe(503);
      expect(bodyOf(response)).toEqual({
        error: 'The language model is busy. Try again in a few seconds.',
        retryAfterSeconds: 5,
      });
    });

    it('degrades gracefully when the model does not answer JSON', async () => {
      // Prepare
      bedrock
        .on(ConverseCommand)
        .resolves(converseReply('  The user fixed the VPN by updating the client.  '));

      // Act
      const response = await handler(conversationEvent({ conversationId: 'conv-short' }));

      // Assess
      expect(response.response.httpStatusCode).toBe(200);
      expect(bodyOf(response)).toEqual({
        summary: 'The user fixed the VPN by updating the client.',
        keyPoints: [],
        actionItems: [],
        sentiment: 'neutral',
        chunks: 1,
        note: expect.stringContaining('key points and action items are not available'),
      });
    });

    it('answers 502 with the content-policy message when the guardrail intervenes', async () => {
      // Prepare
      bedrock
        .on(ConverseCommand)
        .resolves(converseReply('Sorry, the model cannot answer.', 'guardrail_intervened'));

      // Act
      const response = await handler(conversationEvent({ conversationId: 'conv-short' }));

      // Assess
      expect(response.response.httpStatusCode).toBe(502);
      expect(bodyOf(response)).toEqual({ error: BLOCKED_MESSAGE });
    });

    it('answers 400 from the schema for an out-of-range maxKeyPoints', async () => {
      // Act
      const response = await handler(conversationEvent({ conversationId: 'conv-short', maxKeyPoints: 21 }));

      // Assess
      expect(response.response.httpStatusCode).toBe(400);
      expect(bodyOf(response).fields).toEqual([expect.stringMatching(/^maxKeyPoints: /)]);
      expect(bedrock).toHaveReceivedCommandTimes(ConverseCommand, 0);
    });
  });

  describe('Operation: summarizeText', () => {
    it('summarizes the given text', async () => {
      // Prepare
      bedrock.on(ConverseCommand).resolves(converseReply(GOOD_ANSWER));

      // Act
      const response = await handler(textEvent({ text: 'Meeting notes.\n\nAna updates the changelog.' }));

      // Assess
      expect(response.response.httpStatusCode).toBe(200);
      expect(bodyOf(response)).toMatchObject({ sentiment: 'positive', chunks: 1 });
      const [call] = converseCalls();
      expect(systemOf(call)).toContain('You summarize a text that a user provided');
      expect(systemOf(call)).toContain(DATA_RULE);
      expect(dataOf(call)).toBe('Meeting notes.\n\nAna updates the changelog.');
    });

    it.each([
      { name: 'an empty text', body: { text: '' }, field: /^text: must not be empty/ },
      {
        name: 'a text over 100000 characters',
        body: { text: 'x'.repeat(100_001) },
        field: /^text: must be at most 100000 characters/,
      },
      { name: 'a missing text', body: {}, field: /^text: / },
    ])('answers 400 from schema validation for $name', async ({ body, field }) => {
      // Act
      const response = await handler(textEvent(body));

      // Assess
      expect(response.response.httpStatusCode).toBe(400);
      expect(bodyOf(response)).toEqual({
        error: 'Invalid input. Fix these fields and call the tool again.',
        fields: [expect.stringMatching(field)],
      });
      expect(bedrock).toHaveReceivedCommandTimes(ConverseCommand, 0);
    });

    it('answers 400 for a text with no visible character', async () => {
      // Act
      const response = await handler(textEvent({ text: ' \n\n ' }));

      // Assess
      expect(response.response.httpStatusCode).toBe(400);
      expect(bodyOf(response).fields).toEqual([
        'text: must contain some non-blank text. Expected: The text to summarize, verbatim',
      ]);
    });
  });

  it('has a handler for every operation of the schema', () => {
    expect(missingHandlers(handler)).toEqual([]);
  });

  describe('long conversations (budget injected through the domain)', () => {
    // Each rendered message is 140 characters: two fit a 300-character budget (140 + 2 + 140), three do not.
    const BUDGET = 300;
    const RENDERED = 140;
    const contents = Array.from({ length: 6 }, (_, i) => {
      const prefix = renderMessage({
        timestamp: '2025-05-01T10:00:00.000Z',
        role: 'user',
        content: '',
      }).length;
      const speakerExtra = i % 2 === 1 ? 'Assistant'.length - 'User'.length : 0;
      return `m${i} `.padEnd(RENDERED - prefix - speakerExtra, 'w');
    });
    let tool: ToolHandler;

    beforeAll(async () => {
      await putItems(ddb.client, CONVERSATIONS_TABLE.name, chatItems('conv-long', contents));
      tool = createSummarizeTool({
        store: new DynamoConversationStore(DynamoDBDocumentClient.from(ddb.client), CONVERSATIONS_TABLE.name),
        model: new ConverseTextModel(new BedrockRuntimeClient({}), MODEL_ID, {
          id: 'gr123abc',
          version: '3',
        }),
        maxOutputTokens: 256,
        charBudget: BUDGET,
      });
    });

    it('summarizes chunk by chunk, then merges: n + 1 Converse calls, chunks cut between messages', async () => {
      // Prepare
      bedrock.on(ConverseCommand).callsFake((input: ConverseCommandInput) => {
        const part = /part (\d+) of/.exec(systemOf(input));
        return Promise.resolve(
          converseReply(
            part
              ? summaryJson(`part ${part[1]}`, { actionItems: [`item ${part[1]}`] })
              : summaryJson('whole conversation', {
                  actionItems: ['item 1', 'item 2', 'item 3'],
                  sentiment: 'mixed',
                }),
          ),
        );
      });
      const rendered = chatItems('conv-long', contents).map((item) =>
        renderMessage({ timestamp: item.timestamp, role: item.role, content: item.content }),
      );
      expect(rendered.every((r) => r.length === RENDERED)).toBe(true);

      // Act
      const response = await tool(conversationEvent({ conversationId: 'conv-long' }));

      // Assess: the answer
      expect(response.response.httpStatusCode).toBe(200);
      expect(bodyOf(response)).toEqual({
        summary: 'whole conversation',
        keyPoints: [],
        actionItems: ['item 1', 'item 2', 'item 3'],
        sentiment: 'mixed',
        chunks: 3,
      });
      // Assess: 3 chunk calls of two whole messages each, in order, then 1 merge call
      const calls = converseCalls();
      expect(calls).toHaveLength(4);
      const chunkData = calls.slice(0, 3).map(dataOf);
      expect(chunkData).toEqual([
        `${rendered[0]}\n\n${rendered[1]}`,
        `${rendered[2]}\n\n${rendered[3]}`,
        `${rendered[4]}\n\n${rendered[5]}`,
      ]);
      expect(calls.slice(0, 3).map((c) => /part \d+ of \d+/.exec(systemOf(c))?.[0])).toEqual([
        'part 1 of 3',
        'part 2 of 3',
        'part 3 of 3',
      ]);
      const merge = calls[3];
      expect(systemOf(merge)).toContain('summaries of 3 consecutive parts of one conversation');
      expect(systemOf(merge)).toContain(DATA_RULE);
      expect(
        dataOf(merge)
          .split('\n\n')
          .map((line) => JSON.parse(line) as unknown),
      ).toEqual([
        { part: '1 of 3', summary: 'part 1', keyPoints: [], actionItems: ['item 1'], sentiment: 'neutral' },
        { part: '2 of 3', summary: 'part 2', keyPoints: [], actionItems: ['item 2'], sentiment: 'neutral' },
        { part: '3 of 3', summary: 'part 3', keyPoints: [], actionItems: ['item 3'], sentiment: 'neutral' },
      ]);
      for (const call of calls) {
        expect(call).toMatchObject({
          modelId: MODEL_ID,
          guardrailConfig: { guardrailIdentifier: 'gr123abc', guardrailVersion: '3' },
          inferenceConfig: { maxTokens: 256 },
        });
      }
    });

    it('fails the whole summary with 503 when one chunk call is throttled', async () => {
      // Prepare
      bedrock
        .on(ConverseCommand)
        .callsFake((input: ConverseCommandInput) =>
          systemOf(input).includes('part 2 of 3')
            ? Promise.reject(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }))
            : Promise.resolve(converseReply(summaryJson('ok'))),
        );

      // Act
      const response = await tool(conversationEvent({ conversationId: 'conv-long' }));

      // Assess: no merge of an incomplete set of parts
      expect(response.response.httpStatusCode).toBe(503);
      expect(converseCalls().some((c) => systemOf(c).includes('consecutive parts'))).toBe(false);
    });
  });
});
