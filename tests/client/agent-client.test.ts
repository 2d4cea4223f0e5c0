import {
  AgentAccessDeniedError,
  AgentClient,
  AgentError,
  type AgentEvent,
  AgentModelNotReadyError,
  AgentNotFoundError,
  AgentThrottledError,
  AgentValidationError,
  type RetryNotice,
  type ReturnControlHandlers,
} from '../../client';
import { apiInvocation, citation, frame, useInvokeAgentServer } from '../support/invoke-agent-server';

const AGENT = { agentId: 'AGENT12345', agentAliasId: 'ALIAS12345' };
const FAST_RETRY = { baseDelayMs: 1, maxDelayMs: 2 };

const server = useInvokeAgentServer();
let client: AgentClient;

beforeEach(() => {
  client = new AgentClient({ ...AGENT, retry: FAST_RETRY });
});

afterEach(() => {
  client.destroy();
});

async function collect(events: AsyncIterable<AgentEvent>): Promise<AgentEvent[]> {
  const out: AgentEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

const texts = (events: AgentEvent[]) => events.flatMap((e) => (e.type === 'text' ? [e.text] : []));
const steps = (events: AgentEvent[]) => events.flatMap((e) => (e.type === 'trace' ? [e.step] : []));

const VPN_DOC = 's3://kass-docs/runbooks/vpn.md';
const LAPTOP_DOC = 's3://kass-docs/it/laptops.md';

describe('Class: AgentClient', () => {
  describe('Method: stream', () => {
    it('yields the chunks in order, then their citations, then done with the session id', async () => {
      // Prepare
      server.enqueue({
        frames: [
          frame.text('To set up the VPN, '),
          frame.text('install the client [from the portal].', [
            citation('install the client', { start: 19, end: 37 }, [
              { uri: VPN_DOC, metadata: { team: 'it-ops' } },
            ]),
          ]),
          frame.text(' Laptops ship with it.', [
            citation('Laptops ship with it', { start: 57, end: 77 }, [{ uri: LAPTOP_DOC }]),
          ]),
        ],
      });
      // Act
      const events = await collect(client.stream({ text: 'How do I set up the VPN?', sessionId: 'chat-1' }));
      // Assess
      expect(texts(events)).toEqual([
        'To set up the VPN, ',
        'install the client [from the portal].',
        ' Laptops ship with it.',
      ]);
      expect(events.filter((e) => e.type === 'citation')).toEqual([
        {
          type: 'citation',
          citation: {
            text: 'install the client',
            span: { start: 19, end: 37 },
            references: [
              { uri: VPN_DOC, sourceType: 'S3', text: `excerpt of ${VPN_DOC}`, metadata: { team: 'it-ops' } },
            ],
          },
        },
        expect.objectContaining({ citation: expect.objectContaining({ text: 'Laptops ship with it' }) }),
      ]);
      expect(events.map((e) => e.type)).toEqual(['text', 'text', 'citation', 'text', 'citation', 'done']);
      expect(events.at(-1)).toEqual({
        type: 'done',
        sessionId: 'chat-1',
        usage: { inputTokens: 0, outputTokens: 0, modelCalls: 0 },
      });
    });

    it('sends the question with trace on, streamed final response and the session state', async () => {
      // Prepare
      server.enqueue({ frames: [frame.text('ok')] });
      // Act
      await collect(
        client.stream({
          text: 'hello',
          sessionId: 'chat-2',
          memoryId: 'user-42',
          sessionAttributes: { userId: 'u-42' },
          promptSessionAttributes: { today: '2026-01-01' },
        }),
      );
      // Assess
      const [request] = server.requests;
      expect(request).toMatchObject({
        agentId: 'AGENT12345',
        agentAliasId: 'ALIAS12345',
        sessionId: 'chat-2',
      });
      expect(request?.body).toEqual({
        inputText: 'hello',
        enableTrace: true,
        memoryId: 'user-42',
        streamingConfigurations: { streamFinalResponse: true },
        sessionState: {
          sessionAttributes: { userId: 'u-42' },
          promptSessionAttributes: { today: '2026-01-01' },
        },
      });
    });

    it('makes a valid session id when none is given, and rejects an invalid one before calling', async () => {
      // Prepare
      server.enqueue({ frames: [frame.text('ok')] });
      // Act
      const events = await collect(client.stream({ text: 'hi' }));
      const invalid = collect(client.stream({ text: 'hi', sessionId: 'has spaces' }));
      // Assess
      const done = events.at(-1);
      expect(done?.type === 'done' && done.sessionId).toMatch(/^[0-9a-zA-Z._:-]{2,100}$/);
      expect(server.requests[0]?.sessionId).toBe(done?.type === 'done' ? done.sessionId : '');
      await expect(invalid).rejects.toBeInstanceOf(AgentValidationError);
      expect(server.requests).toHaveLength(1);
    });

    it('normalises an action-group call, a knowledge-base lookup, a guardrail and usage from the trace', async () => {
      // Prepare
      server.enqueue({
        frames: [
          frame.trace({
            orchestrationTrace: {
              modelInvocationInput: { traceId: 't-0', type: 'ORCHESTRATION', text: '…' },
            },
          }),
          frame.modelUsage('t-0', 1200, 80),
          frame.trace({ orchestrationTrace: { rationale: { traceId: 't-0', text: 'Look the ticket up.' } } }),
          frame.actionGroupCall('t-0', {
            actionGroupName: 'report',
            verb: 'get',
            apiPath: '/tickets/{ticketId}',
            parameters: [{ name: 'ticketId', type: 'string', value: 'TCK-1042' }],
            executionType: 'LAMBDA',
          }),
          frame.actionGroupOutput('t-0', '{"ticketId":"TCK-1042","status":"OPEN"}'),
          frame.knowledgeBaseLookup('t-1', 'vpn drops'),
          frame.knowledgeBaseResults('t-1', [{ text: 'Restart the client.', uri: VPN_DOC }]),
          frame.trace({
            guardrailTrace: {
              action: 'INTERVENED',
              traceId: 't-2',
              outputAssessments: [
                {
                  sensitiveInformationPolicy: {
                    piiEntities: [{ type: 'EMAIL', match: 'a@b.c', action: 'ANONYMIZED' }],
                  },
                },
                { topicPolicy: { topics: [{ name: 'Investments', type: 'DENY', action: 'BLOCKED' }] } },
              ],
            },
          }),
          frame.trace({
            postProcessingTrace: {
              modelInvocationOutput: {
                traceId: 't-3',
                metadata: { usage: { inputTokens: 300, outputTokens: 20 } },
              },
            },
          }),
          frame.trace({
            failureTrace: { traceId: 't-4', failureReason: 'Lambda timed out', failureCode: 424 },
          }),
          frame.text('Ticket TCK-1042 is open.'),
        ],
      });
      // Act
      const events = await collect(client.stream({ text: 'status of TCK-1042?', sessionId: 'chat-3' }));
      // Assess
      expect(steps(events)).toEqual([
        { kind: 'usage', inputTokens: 1200, outputTokens: 80, phase: 'orchestration', traceId: 't-0' },
        { kind: 'rationale', text: 'Look the ticket up.', phase: 'orchestration', traceId: 't-0' },
        {
          kind: 'toolCall',
          actionGroup: 'report',
          apiPath: '/tickets/{ticketId}',
          httpMethod: 'get',
          parameters: { ticketId: 'TCK-1042' },
          execution: 'LAMBDA',
          phase: 'orchestration',
          traceId: 't-0',
        },
        {
          kind: 'toolOutput',
          actionGroup: 'report',
          output: '{"ticketId":"TCK-1042","status":"OPEN"}',
          phase: 'orchestration',
          traceId: 't-0',
        },
        {
          kind: 'knowledgeBase',
          query: 'vpn drops',
          knowledgeBaseId: 'KB12345678',
          references: [{ uri: VPN_DOC, sourceType: 'S3', text: 'Restart the client.' }],
          phase: 'orchestration',
          traceId: 't-1',
        },
        {
          kind: 'guardrail',
          action: 'INTERVENED',
          assessments: ['pii EMAIL: ANONYMIZED', 'topic Investments: BLOCKED'],
          phase: 'guardrail',
          traceId: 't-2',
        },
        { kind: 'usage', inputTokens: 300, outputTokens: 20, phase: 'postProcessing', traceId: 't-3' },
        { kind: 'failure', reason: 'Lambda timed out', code: 424, phase: 'failure', traceId: 't-4' },
      ]);
      expect(events.at(-1)).toMatchObject({ usage: { inputTokens: 1500, outputTokens: 100, modelCalls: 2 } });
    });

    it('stops the HTTP/2 stream when the caller stops reading early', async () => {
      // Prepare
      server.enqueue({ frames: [frame.text('first'), frame.pause(5_000), frame.text('never read')] });
      // Act
      const started = Date.now();
      const seen: string[] = [];
      for await (const event of client.stream({ text: 'hi', sessionId: 'chat-4' })) {
        if (event.type === 'text') seen.push(event.text);
        break;
      }
      // Assess
      expect(seen).toEqual(['first']);
      expect(Date.now() - started).toBeLessThan(4_000);
    });
  });

  describe('Method: stream (errors and retries)', () => {
    it('fails with a timeout when the stream stays silent longer than requestTimeoutMs', async () => {
      // Prepare
      client = new AgentClient({ ...AGENT, requestTimeoutMs: 300, retry: FAST_RETRY });
      server.enqueue({ frames: [frame.text('start'), frame.pause(2_000), frame.text('too late')] });
      // Act
      const result = collect(client.stream({ text: 'hi', sessionId: 'chat-t' }));
      // Assess
      await expect(result).rejects.toMatchObject({ name: 'AgentError', exceptionName: 'TimeoutError' });
    });

    it('stops with an AbortError when the caller aborts, without retrying', async () => {
      // Prepare
      const controller = new AbortController();
      server.enqueue({ frames: [frame.pause(2_000), frame.text('too late')] });
      // Act
      const result = collect(client.stream({ text: 'hi', sessionId: 'chat-a', signal: controller.signal }));
      setTimeout(() => controller.abort(), 100);
      // Assess
      await expect(result).rejects.toMatchObject({ name: 'AbortError' });
      expect(server.requests).toHaveLength(1);
    });

    it('retries an in-stream throttlingException that came before any event, then streams the answer', async () => {
      // Prepare
      const notices: RetryNotice[] = [];
      client = new AgentClient({ ...AGENT, retry: FAST_RETRY, onRetry: (n) => notices.push(n) });
      server.enqueue(
        { frames: [frame.exception('throttlingException', 'Rate exceeded')] },
        { frames: [frame.text('Hello after a retry.')] },
      );
      // Act
      const events = await collect(client.stream({ text: 'hi', sessionId: 'chat-5' }));
      // Assess
      expect(texts(events)).toEqual(['Hello after a retry.']);
      expect(server.requests).toHaveLength(2);
      expect(server.requests[1]?.sessionId).toBe('chat-5');
      expect(server.requests[1]?.body.inputText).toBe('hi');
      expect(notices).toHaveLength(1);
      expect(notices[0]?.attempt).toBe(1);
      expect(notices[0]?.error).toBeInstanceOf(AgentThrottledError);
    });

    it('retries modelNotReadyException the same way', async () => {
      // Prepare
      server.enqueue(
        { frames: [frame.exception('modelNotReadyException', 'Model is loading')] },
        { frames: [frame.exception('modelNotReadyException', 'Model is loading')] },
        { frames: [frame.text('ready')] },
      );
      // Act
      const events = await collect(client.stream({ text: 'hi', sessionId: 'chat-6' }));
      // Assess
      expect(texts(events)).toEqual(['ready']);
      expect(server.requests).toHaveLength(3);
    });

    it('gives up after maxAttempts with AgentThrottledError carrying the exception name and attempts', async () => {
      // Prepare
      client = new AgentClient({ ...AGENT, retry: { ...FAST_RETRY, maxAttempts: 3 } });
      for (let i = 0; i < 3; i++)
        server.enqueue({ frames: [frame.exception('throttlingException', 'Rate exceeded')] });
      // Act
      const result = collect(client.stream({ text: 'hi', sessionId: 'chat-7' }));
      // Assess
      await expect(result).rejects.toMatchObject({
        name: 'AgentThrottledError',
        exceptionName: 'ThrottlingException',
        message: 'Rate exceeded',
        attempts: 3,
      });
      expect(server.requests).toHaveLength(3);
    });

    it('does not retry once part of the answer was yielded', async () => {
      // Prepare
      server.enqueue({
        frames: [frame.text('Half an ans'), frame.exception('throttlingException', 'Rate exceeded')],
      });
      const seen: string[] = [];
      // Act
      const run = (async () => {
        for await (const event of client.stream({ text: 'hi', sessionId: 'chat-8' })) {
          if (event.type === 'text') seen.push(event.text);
        }
      })();
      // Assess
      await expect(run).rejects.toBeInstanceOf(AgentThrottledError);
      expect(seen).toEqual(['Half an ans']);
      expect(server.requests).toHaveLength(1);
    });

    it.each([
      { exception: 'validationException' as const, Class: AgentValidationError, name: 'ValidationException' },
      {
        exception: 'accessDeniedException' as const,
        Class: AgentAccessDeniedError,
        name: 'AccessDeniedException',
      },
      {
        exception: 'resourceNotFoundException' as const,
        Class: AgentNotFoundError,
        name: 'ResourceNotFoundException',
      },
      { exception: 'internalServerException' as const, Class: AgentError, name: 'InternalServerException' },
    ])(
      'turns an in-stream $exception into $Class.name without retrying',
      async ({ exception, Class, name }) => {
        // Prepare
        server.enqueue({ frames: [frame.exception(exception, `the ${exception} message`)] });
        // Act
        const result = collect(client.stream({ text: 'hi', sessionId: 'chat-9' }));
        // Assess
        await expect(result).rejects.toBeInstanceOf(Class);
        await expect(result).rejects.toMatchObject({
          exceptionName: name,
          message: `the ${exception} message`,
        });
        expect(server.requests).toHaveLength(1);
      },
    );

    it('maps errors of the call itself (HTTP 404 / 403) the same way', async () => {
      // Prepare
      server.enqueue(
        {
          httpError: {
            status: 404,
            type: 'ResourceNotFoundException',
            message: 'Agent AGENT12345 not found',
          },
        },
        { httpError: { status: 403, type: 'AccessDeniedException', message: 'Access denied to model' } },
      );
      // Act
      const notFound = collect(client.stream({ text: 'hi', sessionId: 'chat-10' }));
      await expect(notFound).rejects.toBeInstanceOf(AgentNotFoundError);
      const denied = collect(client.stream({ text: 'hi', sessionId: 'chat-10' }));
      // Assess
      await expect(denied).rejects.toMatchObject({
        name: 'AgentAccessDeniedError',
        exceptionName: 'AccessDeniedException',
        httpStatusCode: 403,
      });
    });
  });

  describe('Method: stream (return of control)', () => {
    const listTickets = {
      invocationId: 'inv-1',
      inputs: [apiInvocation('get', '/tickets', { parameters: {} })],
    };

    it('runs the handler and sends its result back with the invocation id and the same session', async () => {
      // Prepare
      server.enqueue(
        { frames: [frame.returnControl(listTickets.invocationId, listTickets.inputs)] },
        { frames: [frame.text('You have one open ticket.')] },
      );
      const calls: unknown[] = [];
      const handlers: ReturnControlHandlers = {
        'report GET /tickets': async (input, context) => {
          calls.push({ input, context });
          return { body: [{ ticketId: 'TCK-1042' }] };
        },
      };
      // Act
      const events = await collect(
        client.stream({
          text: 'my tickets?',
          sessionId: 'chat-11',
          sessionAttributes: { userId: 'u-1' },
          returnControlHandlers: handlers,
        }),
      );
      // Assess
      expect(calls).toEqual([
        {
          input: {
            kind: 'api',
            actionGroup: 'report',
            apiPath: '/tickets',
            httpMethod: 'get',
            parameters: [],
            invocationType: 'RESULT',
          },
          context: {
            sessionId: 'chat-11',
            invocationId: 'inv-1',
            sessionAttributes: { userId: 'u-1' },
            promptSessionAttributes: {},
          },
        },
      ]);
      expect(server.requests).toHaveLength(2);
      const second = server.requests[1];
      expect(second?.sessionId).toBe('chat-11');
      expect(second?.body.inputText).toBeUndefined();
      expect(second?.body.sessionState).toEqual({
        sessionAttributes: { userId: 'u-1' },
        invocationId: 'inv-1',
        returnControlInvocationResults: [
          {
            apiResult: {
              actionGroup: 'report',
              apiPath: '/tickets',
              httpMethod: 'get',
              httpStatusCode: 200,
              responseBody: { 'application/json': { body: '[{"ticketId":"TCK-1042"}]' } },
            },
          },
        ],
      });
      expect(events.map((e) => e.type)).toEqual(['returnControl', 'toolResult', 'text', 'done']);
      expect(events[1]).toMatchObject({ type: 'toolResult', status: 200, body: '[{"ticketId":"TCK-1042"}]' });
    });

    it('asks for confirmation before running a USER_CONFIRMATION_AND_RESULT call', async () => {
      // Prepare
      const createTicket = apiInvocation('post', '/tickets', {
        body: { title: 'VPN drops', priority: 'high' },
        invocationType: 'USER_CONFIRMATION_AND_RESULT',
      });
      server.enqueue(
        { frames: [frame.returnControl('inv-2', [createTicket])] },
        { frames: [frame.text('Created TCK-2001.')] },
        { frames: [frame.returnControl('inv-3', [createTicket])] },
        { frames: [frame.text('Not created.')] },
      );
      let runs = 0;
      const handlers: ReturnControlHandlers = {
        report: async () => {
          runs++;
          return { status: 201, body: { ticketId: 'TCK-2001' } };
        },
      };
      // Act
      const confirmed = await client.ask({
        text: 'open a ticket',
        sessionId: 'chat-12',
        returnControlHandlers: handlers,
        onConfirmation: async () => true,
      });
      const denied = await client.ask({
        text: 'open a ticket',
        sessionId: 'chat-12',
        returnControlHandlers: handlers,
      });
      // Assess
      expect(confirmed.text).toBe('Created TCK-2001.');
      expect(denied.text).toBe('Not created.');
      expect(runs).toBe(1);
      expect(server.requests[1]?.body.sessionState?.returnControlInvocationResults).toEqual([
        {
          apiResult: {
            actionGroup: 'report',
            apiPath: '/tickets',
            httpMethod: 'post',
            httpStatusCode: 201,
            confirmationState: 'CONFIRM',
            responseBody: { 'application/json': { body: '{"ticketId":"TCK-2001"}' } },
          },
        },
      ]);
      expect(server.requests[3]?.body.sessionState?.returnControlInvocationResults).toEqual([
        {
          apiResult: {
            actionGroup: 'report',
            apiPath: '/tickets',
            httpMethod: 'post',
            confirmationState: 'DENY',
          },
        },
      ]);
    });

    it('answers a USER_CONFIRMATION call (Lambda tools) with the decision only, without handlers', async () => {
      // Prepare
      server.enqueue(
        {
          frames: [
            frame.returnControl('inv-4', [
              {
                functionInvocationInput: {
                  actionGroup: 'summarize',
                  function: 'summarizeConversation',
                  parameters: [{ name: 'conversationId', type: 'string', value: 'conv-7f3a' }],
                  actionInvocationType: 'USER_CONFIRMATION',
                },
              },
            ]),
          ],
        },
        { frames: [frame.text('Summarised.')] },
      );
      // Act
      const events: AgentEvent[] = [];
      for await (const event of client.stream({ text: 'summarise', sessionId: 'chat-13' })) {
        events.push(event);
        if (event.type === 'confirmation') event.confirm();
      }
      // Assess
      expect(events.map((e) => e.type)).toEqual([
        'returnControl',
        'confirmation',
        'toolResult',
        'text',
        'done',
      ]);
      expect(server.requests[1]?.body.sessionState?.returnControlInvocationResults).toEqual([
        {
          functionResult: {
            actionGroup: 'summarize',
            function: 'summarizeConversation',
            confirmationState: 'CONFIRM',
          },
        },
      ]);
    });

    it('with deferConfirmations ends the turn at a confirmation; a later turn answers it with the decision', async () => {
      // Prepare
      const createTicket = apiInvocation('post', '/tickets', {
        body: { title: 'VPN drops' },
        invocationType: 'USER_CONFIRMATION',
      });
      server.enqueue(
        { frames: [frame.text('I will open a ticket.'), frame.returnControl('inv-5', [createTicket])] },
        { frames: [frame.text('Created TCK-3001.')] },
      );
      // Act
      const first = await collect(
        client.stream({ text: 'open a ticket', sessionId: 'chat-16', deferConfirmations: true }),
      );
      const done = first.at(-1);
      const pending = done?.type === 'done' ? done.pendingReturnControl : undefined;
      const [input] = pending?.inputs ?? [];
      if (!pending || !input) throw new Error('expected a pending confirmation');
      const second = await client.ask({
        text: '',
        sessionId: 'chat-16',
        deferConfirmations: true,
        returnControlResults: {
          invocationId: pending.invocationId,
          results: [{ input, confirmation: 'CONFIRM' }],
        },
      });
      // Assess
      expect(first.map((e) => e.type)).toEqual(['text', 'returnControl', 'done']);
      expect(first[1]).toMatchObject({ type: 'returnControl', handled: false, invocationId: 'inv-5' });
      expect(input).toMatchObject({ kind: 'api', invocationType: 'USER_CONFIRMATION', apiPath: '/tickets' });
      expect(second.text).toBe('Created TCK-3001.');
      expect(second.pendingReturnControl).toBeUndefined();
      expect(server.requests[1]?.body.inputText).toBeUndefined();
      expect(server.requests[1]?.body.sessionState).toEqual({
        invocationId: 'inv-5',
        returnControlInvocationResults: [
          {
            apiResult: {
              actionGroup: 'report',
              apiPath: '/tickets',
              httpMethod: 'post',
              confirmationState: 'CONFIRM',
            },
          },
        ],
      });
    });

    it('without handlers ends the turn with the pending calls, which the app answers on the next call', async () => {
      // Prepare
      server.enqueue(
        { frames: [frame.returnControl(listTickets.invocationId, listTickets.inputs)] },
        { frames: [frame.text('One ticket.')] },
      );
      // Act
      const first = await client.ask({ text: 'my tickets?', sessionId: 'chat-14' });
      const pending = first.pendingReturnControl;
      const [input] = pending?.inputs ?? [];
      if (!pending || !input) throw new Error('expected a pending call');
      const second = await client.ask({
        text: '',
        sessionId: first.sessionId,
        returnControlResults: { invocationId: pending.invocationId, results: [{ input, body: [] }] },
      });
      // Assess
      expect(first.text).toBe('');
      expect(second.text).toBe('One ticket.');
      expect(server.requests[1]?.body.sessionState).toEqual({
        invocationId: 'inv-1',
        returnControlInvocationResults: [
          {
            apiResult: {
              actionGroup: 'report',
              apiPath: '/tickets',
              httpMethod: 'get',
              httpStatusCode: 200,
              responseBody: { 'application/json': { body: '[]' } },
            },
          },
        ],
      });
    });

    it('answers a failing handler with a generic FAILURE body and reports the error to the app', async () => {
      // Prepare
      server.enqueue(
        { frames: [frame.returnControl(listTickets.invocationId, listTickets.inputs)] },
        { frames: [frame.text('The tool failed.')] },
      );
      // Act
      const events = await collect(
        client.stream({
          text: 'my tickets?',
          sessionId: 'chat-15',
          returnControlHandlers: {
            '*': async () => {
              throw new Error('db password=hunter2 refused');
            },
          },
        }),
      );
      // Assess
      const result = events.find((e) => e.type === 'toolResult');
      expect(result).toMatchObject({
        status: 500,
        error: expect.objectContaining({ message: 'db password=hunter2 refused' }),
      });
      const sent = JSON.stringify(server.requests[1]?.body);
      expect(sent).not.toContain('hunter2');
      expect(server.requests[1]?.body.sessionState?.returnControlInvocationResults?.[0]).toMatchObject({
        apiResult: { httpStatusCode: 500, responseState: 'FAILURE' },
      });
    });
  });

  describe('Method: ask', () => {
    it('collects text, citations, trace summary, usage and session id', async () => {
      // Prepare
      server.enqueue({
        frames: [
          frame.modelUsage('t', 10, 5),
          frame.text('Restart the VPN client.', [
            citation('Restart the VPN client', { start: 0, end: 22 }, [{ uri: VPN_DOC }]),
          ]),
        ],
      });
      // Act
      const answer = await client.ask({ text: 'vpn?', sessionId: 'chat-16' });
      // Assess
      expect(answer).toEqual({
        text: 'Restart the VPN client.',
        citations: [
          {
            text: 'Restart the VPN client',
            span: { start: 0, end: 22 },
            references: [{ uri: VPN_DOC, sourceType: 'S3', text: `excerpt of ${VPN_DOC}` }],
          },
        ],
        trace: {
          rationales: [],
          toolCalls: [],
          toolOutputs: [],
          knowledgeBaseLookups: [],
          guardrailInterventions: [],
          failures: [],
        },
        usage: { inputTokens: 10, outputTokens: 5, modelCalls: 1 },
        sessionId: 'chat-16',
        files: [],
      });
    });
  });

  describe('Method: session', () => {
    it('reuses one session id across turns; renew() starts a new one; end() sends endSession', async () => {
      // Prepare
      server.enqueue(
        { frames: [frame.text('one')] },
        { frames: [frame.text('two')] },
        { frames: [frame.text('bye')] },
        { frames: [frame.text('three')] },
      );
      const session = client.session({ memoryId: 'user-7', sessionAttributes: { team: 'it-ops' } });
      const firstId = session.id;
      // Act
      await session.ask('first');
      await session.ask('second');
      await session.end();
      await session.ask('third');
      // Assess
      const [a, b, c, d] = server.requests;
      expect(a?.sessionId).toBe(firstId);
      expect(b?.sessionId).toBe(firstId);
      expect(c?.sessionId).toBe(firstId);
      expect(c?.body.endSession).toBe(true);
      expect(d?.sessionId).not.toBe(firstId);
      expect(d?.sessionId).toBe(session.id);
      expect(b?.body).toMatchObject({
        memoryId: 'user-7',
        sessionState: { sessionAttributes: { team: 'it-ops' } },
      });
    });
  });

  describe('Constructor', () => {
    it('rejects malformed agent and alias ids up front', () => {
      expect(() => new AgentClient({ agentId: 'not-an-id!', agentAliasId: 'ALIAS12345' })).toThrow(
        AgentValidationError,
      );
      expect(() => new AgentClient({ agentId: 'AGENT12345', agentAliasId: 'TOOLONGALIAS1' })).toThrow(
        /agentAliasId/,
      );
    });
  });

  it('keeps the error class hierarchy (model not ready is retryable, validation is not)', () => {
    const notReady = new AgentModelNotReadyError('loading', { exceptionName: 'ModelNotReadyException' });
    expect(notReady).toBeInstanceOf(AgentError);
    expect(notReady.retryable).toBe(true);
    expect(new AgentValidationError('bad', { exceptionName: 'ValidationException' }).retryable).toBe(false);
  });
});
