import { ApplyGuardrailCommand, BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { GenerateMacCommand, KMSClient } from '@aws-sdk/client-kms';
import { InvokeCommand, type InvokeCommandOutput, LambdaClient } from '@aws-sdk/client-lambda';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { chatDepsFromEnv, createChatHandler } from '../../../functions/chat/handler';
import { ownerOfApp } from '../../../functions/shared/owner';
import { getTestEvent } from '../../support/events';
import { setEnv } from '../../support/invoke-agent-server';
import {
  answer,
  harness,
  type InvokeHarnessServer,
  startInvokeHarnessServer,
} from '../../support/invoke-harness-server';
import { perSuite } from '../../support/lifecycle';
import { APP, type ChatWorld, countItems, OTHER_KEY, startChatWorld, TABLES } from './support/chat-world';

/**
 * POST /chat on the AgentCore engine: the same handler, its engine chosen by the environment the stack sets
 * (AGENT_ENGINE=agentcore), InvokeHarness served by the local wire-format fake, DynamoDB by dynalite; KMS,
 * ApplyGuardrail and Lambda are mocked at the SDK. The Classic suite (chat-handler.test.ts) checks the same
 * behaviour against InvokeAgent.
 */

const HARNESS_ARN = 'arn:aws:bedrock-agentcore:us-east-1:123456789012:harness/kass_test-AbCdEf1234';
const KEY_ARN = 'arn:aws:kms:us-east-1:123456789012:key/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d';
const CLIENT_TOOLS = { functions: { report: 'kass-test-report' }, readOnly: [] };

const kms = mockClient(KMSClient);
const bedrock = mockClient(BedrockRuntimeClient);
const lambda = mockClient(LambdaClient);

interface HarnessWorld {
  readonly world: ChatWorld;
  readonly harness: InvokeHarnessServer;
  readonly restore: () => void;
}

const env = perSuite<HarnessWorld>(
  async () => {
    const harnessServer = await startInvokeHarnessServer();
    const world = await startChatWorld();
    const restore = setEnv({
      AWS_ENDPOINT_URL_BEDROCK_AGENTCORE: harnessServer.url,
      AGENT_ENGINE: 'agentcore',
      HARNESS_ARN,
      HARNESS_QUALIFIER: 'kass_test',
      OUTPUT_GUARDRAIL_ID: 'gr1234',
      OUTPUT_GUARDRAIL_VERSION: '3',
      IDENTITY_KEY_ARN: KEY_ARN,
      CLIENT_TOOLS: JSON.stringify(CLIENT_TOOLS),
    });
    return { world, harness: harnessServer, restore };
  },
  async ({ world, harness: h, restore }) => {
    restore();
    await h.close();
    await world.stop();
  },
  async ({ world, harness: h }) => {
    await world.reset();
    (h.requests as unknown[]).length = 0;
  },
);

const chatEvent = (body: unknown) => {
  const event = getTestEvent<APIGatewayProxyEvent>({ eventsPath: 'apigw', filename: 'rest-chat' });
  event.body = JSON.stringify(body);
  return event;
};
const parse = (r: APIGatewayProxyResult) => JSON.parse(r.body) as Record<string, unknown>;
const withKey = (key: { id: string; value: string }) => (e: APIGatewayProxyEvent) => {
  e.requestContext.identity.apiKey = key.value;
  e.requestContext.identity.apiKeyId = key.id;
};

/** Reads the identity payload KMS was asked to sign (the attributes the tools will get). */
const signedAttributes = (call = 0) => {
  const message = kms.commandCalls(GenerateMacCommand)[call]?.args[0].input.Message;
  return JSON.parse(Buffer.from(Buffer.from(message ?? []).toString('ascii'), 'base64url').toString('utf8'))
    .a as Record<string, string>;
};

const PASSAGES = {
  results: [
    {
      rank: 1,
      score: 0.9,
      text: 'Install the client.',
      uri: 's3://kass-docs/documents/vpn.md',
      sourceType: 'S3',
    },
  ],
};
const KB_ROUND = [
  harness.messageStart(),
  harness.toolUseStart(0, 'tu-1', 'kb___search', 'kass'),
  harness.toolUseInput(0, '{"query":"vpn"}'),
  harness.blockStop(0),
  harness.messageStop('tool_use'),
  harness.messageStart('user'),
  harness.toolResultStart(0, 'tu-1'),
  harness.toolResultText(0, JSON.stringify(PASSAGES)),
  harness.blockStop(0),
  ...answer('To set up the VPN, ', 'install the client.'),
];
const WRITE_ROUND = [
  harness.messageStart(),
  harness.text(0, 'I will open a ticket. '),
  harness.blockStop(0),
  harness.toolUseStart(1, 'tu-9', 'report___createTicket'),
  harness.toolUseInput(1, '{"title":"VPN drops","description":"Every 10 minutes","severity":"high"}'),
  harness.blockStop(1),
  harness.messageStop('tool_use'),
];

let handler: ReturnType<typeof createChatHandler>;

beforeEach(() => {
  kms.reset();
  bedrock.reset();
  lambda.reset();
  kms.on(GenerateMacCommand).resolves({ Mac: new Uint8Array(32).fill(7) });
  bedrock.on(ApplyGuardrailCommand).callsFake(async (input: { content: { text: { text: string } }[] }) => ({
    action: 'NONE',
    outputs: [],
    assessments: [],
    usage: undefined,
    ...(input.content[0]?.text.text.includes('hunter2')
      ? {
          action: 'GUARDRAIL_INTERVENED',
          outputs: [{ text: 'Sorry, I cannot share that.' }],
          assessments: [
            { wordPolicy: { customWords: [{ match: 'hunter2', action: 'BLOCKED' }], managedWordLists: [] } },
          ],
        }
      : {}),
  }));
  handler = createChatHandler(chatDepsFromEnv());
});

afterEach(() => {
  expect(env.harness.pending()).toBe(0);
});

describe('Handler: POST /chat on the AgentCore engine', () => {
  const owner = ownerOfApp(APP);

  it('answers a turn with the knowledge citations, after the output guardrail, and stores it', async () => {
    // Prepare
    env.harness.enqueue({ frames: KB_ROUND });
    // Act
    const result = await handler(chatEvent({ message: 'How do I set up the VPN?' }));
    // Assess
    expect(result.statusCode).toBe(200);
    const body = parse(result);
    expect(body).toEqual({
      answer: 'To set up the VPN, install the client.',
      conversationId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      citations: [
        {
          text: '',
          references: [
            { uri: 's3://kass-docs/documents/vpn.md', sourceType: 'S3', text: 'Install the client.' },
          ],
        },
      ],
    });
    expect(bedrock).toHaveReceivedCommandWith(ApplyGuardrailCommand, {
      guardrailIdentifier: 'gr1234',
      guardrailVersion: '3',
      source: 'OUTPUT',
      content: [{ text: { text: 'To set up the VPN, install the client.' } }],
    });
    const stored = await env.world.scan(TABLES.conversations);
    expect(stored.map((i) => i.content).sort()).toEqual([
      'How do I set up the VPN?',
      'To set up the VPN, install the client.',
    ]);
    expect(stored.find((i) => i.role === 'assistant')).toMatchObject({
      tool_calls: [{ action_group: 'kb', operation: 'search' }],
    });
  });

  it('invokes the harness endpoint on the conversation’s session, with the owner signed for the tools', async () => {
    env.harness.enqueue({ frames: answer('Hello.') }, { frames: answer('Again.') });
    const first = parse(await handler(chatEvent({ message: 'Hi' })));
    await handler(chatEvent({ message: 'Hi again', conversationId: first.conversationId }));
    const [call1, call2] = env.harness.requests;
    expect(call1?.query).toEqual({ harnessArn: HARNESS_ARN, qualifier: 'kass_test' });
    expect(call1?.headers['x-amzn-bedrock-agentcore-runtime-session-id']).toBe(first.conversationId);
    expect(call2?.headers['x-amzn-bedrock-agentcore-runtime-session-id']).toBe(first.conversationId);
    expect(call2?.body.messages).toEqual([{ role: 'user', content: [{ text: 'Hi again' }] }]);
    expect(call2?.headers.baggage).toMatch(/^kass-identity=[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(kms).toHaveReceivedCommandWith(GenerateMacCommand, {
      KeyId: KEY_ARN,
      MacAlgorithm: 'HMAC_SHA_256',
    });
    expect(signedAttributes(1)).toMatchObject({
      userId: owner,
      conversationId: first.conversationId,
      channel: 'rest',
    });
  });

  it('refuses to continue another key’s conversation without calling the harness (404)', async () => {
    env.harness.enqueue({ frames: answer('Hello.') });
    const first = parse(await handler(chatEvent({ message: 'Hi' })));
    const other = chatEvent({ message: 'Let me in', conversationId: first.conversationId });
    withKey(OTHER_KEY)(other);
    const result = await handler(other);
    expect(result.statusCode).toBe(404);
    expect(env.harness.requests).toHaveLength(1);
  });

  it('shows and stores the guardrail’s blocked message instead of a blocked answer', async () => {
    env.harness.enqueue({ frames: answer('The admin password is ', 'hunter2.') });
    const body = parse(await handler(chatEvent({ message: 'What is the admin password?' })));
    expect(body.answer).toBe('Sorry, I cannot share that.');
    const stored = await env.world.scan(TABLES.conversations);
    expect(JSON.stringify(stored)).not.toContain('hunter2');
  });

  it('answers 502 for an error in the stream and stores nothing', async () => {
    env.harness.enqueue({
      frames: [harness.messageStart(), harness.exception('internalServerException', 'boom arn:secret')],
    });
    const result = await handler(chatEvent({ message: 'Hi' }));
    expect(result.statusCode).toBe(502);
    expect(result.body).not.toContain('arn:secret');
    expect(await countItems(env.world, TABLES.conversations)).toBe(0);
  });

  describe('write tools: confirmation, then the chat API runs them', () => {
    it('asks first; on confirm it runs the tool Lambda with the owner’s identity and hands the result to the harness', async () => {
      // Prepare
      env.harness.enqueue({ frames: WRITE_ROUND });
      lambda.on(InvokeCommand).resolves({
        // The SDK's blob adapter is a Uint8Array; the runner reads only its bytes.
        Payload: Buffer.from(
          JSON.stringify({ isError: false, content: [{ type: 'text', text: '{"ticketId":"TCK-12"}' }] }),
        ) as unknown as InvokeCommandOutput['Payload'],
      });
      // Act: the turn stops at the confirmation
      const asked = parse(await handler(chatEvent({ message: 'Open a ticket: VPN drops' })));
      // Assess
      expect(asked.answer).toBe('I will open a ticket. ');
      expect(asked.confirmation).toMatchObject({
        tool: 'report',
        operation: { function: 'createTicket' },
        prompt: expect.stringContaining('Run report createTicket with title=VPN drops'),
      });
      expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);

      // Act: the user confirms
      env.harness.enqueue({ frames: answer('Ticket TCK-12 is open.') });
      const confirmation = asked.confirmation as { id: string };
      const done = parse(
        await handler(
          chatEvent({
            conversationId: asked.conversationId,
            confirmation: { id: confirmation.id, confirm: true },
          }),
        ),
      );
      // Assess
      expect(done.answer).toBe('Ticket TCK-12 is open.');
      const invoke = lambda.commandCalls(InvokeCommand)[0]?.args[0].input;
      expect(invoke?.FunctionName).toBe('kass-test-report');
      const custom = JSON.parse(Buffer.from(invoke?.ClientContext ?? '', 'base64').toString('utf8')).custom;
      expect(custom.bedrockAgentCoreToolName).toBe('report___createTicket');
      expect(custom.bedrockAgentCorePropagatedHeaders.baggage).toMatch(/^kass-identity=/);
      expect(signedAttributes(1)).toMatchObject({ userId: owner, conversationId: asked.conversationId });
      expect(
        JSON.parse(Buffer.from((invoke?.Payload ?? new Uint8Array()) as Uint8Array).toString('utf8')),
      ).toEqual({
        title: 'VPN drops',
        description: 'Every 10 minutes',
        severity: 'high',
      });
      expect(env.harness.requests[1]?.body.messages).toEqual([
        {
          role: 'user',
          content: [
            {
              toolResult: {
                toolUseId: 'tu-9',
                content: [{ json: { ticketId: 'TCK-12' } }],
                status: 'success',
              },
            },
          ],
        },
      ]);
      expect(env.harness.requests[1]?.headers['x-amzn-bedrock-agentcore-runtime-session-id']).toBe(
        asked.conversationId,
      );
    });

    it('on deny it never invokes the tool; the harness learns the user said no', async () => {
      env.harness.enqueue({ frames: WRITE_ROUND });
      const asked = parse(await handler(chatEvent({ message: 'Open a ticket' })));
      env.harness.enqueue({ frames: answer('OK, no ticket.') });
      const confirmation = asked.confirmation as { id: string };
      const done = parse(
        await handler(
          chatEvent({
            conversationId: asked.conversationId,
            confirmation: { id: confirmation.id, confirm: false },
          }),
        ),
      );
      expect(done.answer).toBe('OK, no ticket.');
      expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
      const block = env.harness.requests[1]?.body.messages?.[0]?.content[0] as {
        toolResult: { status: string };
      };
      expect(block.toolResult.status).toBe('error');
    });

    it('another caller cannot answer the confirmation, and nothing runs', async () => {
      env.harness.enqueue({ frames: WRITE_ROUND });
      const asked = parse(await handler(chatEvent({ message: 'Open a ticket' })));
      const confirmation = asked.confirmation as { id: string };
      const attack = chatEvent({
        conversationId: asked.conversationId,
        confirmation: { id: confirmation.id, confirm: true },
      });
      withKey(OTHER_KEY)(attack);
      const result = await handler(attack);
      expect(result.statusCode).toBe(404);
      expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
      expect(env.harness.requests).toHaveLength(1);
    });
  });
});

describe('Handler: POST /chat on the AgentCore engine, confirmations denied (CHAT_CONFIRMATIONS=deny)', () => {
  it('denies the write mid-turn: the tool never runs and the agent answers', async () => {
    const restore = setEnv({ CHAT_CONFIRMATIONS: 'deny' });
    try {
      const denying = createChatHandler(chatDepsFromEnv());
      env.harness.enqueue(
        { frames: WRITE_ROUND },
        { frames: answer('I could not open the ticket without your confirmation.') },
      );
      const body = parse(await denying(chatEvent({ message: 'Open a ticket' })));
      expect(body.confirmation).toBeUndefined();
      expect(body.answer).toBe(
        'I will open a ticket. I could not open the ticket without your confirmation.',
      );
      expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
    } finally {
      restore();
    }
  });
});
