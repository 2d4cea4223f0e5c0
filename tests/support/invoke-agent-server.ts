import * as http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { EventStreamCodec, type MessageHeaders } from '@smithy/core/event-streams';
import { perTest } from './lifecycle';

/**
 * A local stand-in for Bedrock's InvokeAgent: an HTTP/2 cleartext server that answers
 * `POST /agents/{agentId}/agentAliases/{agentAliasId}/sessions/{sessionId}/text` with the real event-stream
 * wire format (`application/vnd.amazon.eventstream`, frames encoded by the SDK's own `EventStreamCodec`).
 * Point a client built with the SDK's standard configuration at it with
 * `AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME=server.url`.
 *
 * Each request takes the next scripted response (or asks a function), and is recorded with its path ids,
 * headers and parsed JSON body, so a test can assert what the client sent.
 */

/** The in-stream exceptions of the `ResponseStream` union (their `:exception-type` header values). */
export type InStreamException =
  | 'accessDeniedException'
  | 'badGatewayException'
  | 'conflictException'
  | 'dependencyFailedException'
  | 'internalServerException'
  | 'modelNotReadyException'
  | 'resourceNotFoundException'
  | 'serviceQuotaExceededException'
  | 'throttlingException'
  | 'validationException';

/** One frame of the response stream, in the JSON shapes of the service model. */
export type AgentFrame =
  /** A `chunk` event; `text` is sent as base64 `bytes`. */
  | { readonly chunk: { readonly text: string; readonly attribution?: { readonly citations: unknown[] } } }
  /** A `trace` event: the TracePart (`{ trace: { orchestrationTrace: … }, sessionId, … }`). */
  | { readonly trace: Record<string, unknown> }
  /** A `returnControl` event: `{ invocationId, invocationInputs }`. */
  | { readonly returnControl: Record<string, unknown> }
  /** A `files` event: `{ files: [{ name, type, bytes (base64) }] }`. */
  | { readonly files: Record<string, unknown> }
  /** An in-stream exception frame (`:message-type` = exception). */
  | { readonly exception: InStreamException; readonly message: string }
  /** Waits before the next frame (the stream stays open). */
  | { readonly pauseMs: number };

export interface ScriptedResponse {
  /** Frames of a 200 event-stream response. */
  readonly frames?: readonly AgentFrame[];
  /** An HTTP-level error instead of a stream (e.g. 403 `AccessDeniedException`). */
  readonly httpError?: { readonly status: number; readonly type: string; readonly message: string };
}

/** A scripted response, or a function of the request that returns one. */
export type Script = ScriptedResponse | ((request: RecordedInvokeRequest) => ScriptedResponse);

/** One InvokeAgent request as the server received it. */
export interface RecordedInvokeRequest {
  readonly agentId: string;
  readonly agentAliasId: string;
  readonly sessionId: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The JSON body: `inputText`, `enableTrace`, `sessionState`, `streamingConfigurations`, … */
  readonly body: InvokeAgentBody;
}

/** The request body fields a test usually checks (the rest is kept as is). */
export interface InvokeAgentBody {
  readonly inputText?: string;
  readonly enableTrace?: boolean;
  readonly endSession?: boolean;
  readonly memoryId?: string;
  readonly sessionState?: {
    readonly invocationId?: string;
    readonly sessionAttributes?: Record<string, string>;
    readonly promptSessionAttributes?: Record<string, string>;
    readonly returnControlInvocationResults?: Record<string, unknown>[];
    readonly [key: string]: unknown;
  };
  readonly streamingConfigurations?: { readonly streamFinalResponse?: boolean };
  readonly [key: string]: unknown;
}

export interface InvokeAgentServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Every request received, in order. */
  readonly requests: readonly RecordedInvokeRequest[];
  /** Queues responses for the next requests. */
  enqueue(...scripts: Script[]): void;
  /** Scripts not used yet. */
  pending(): number;
  /** The environment that points a standard SDK client here, with test credentials and region. */
  env(): Record<string, string>;
  close(): Promise<void>;
}

const PATH = /^\/agents\/([^/]+)\/agentAliases\/([^/]+)\/sessions\/([^/]+)\/text$/;

const codec = new EventStreamCodec(
  (bytes) => Buffer.from(bytes).toString('utf8'),
  (text) => new Uint8Array(Buffer.from(text, 'utf8')),
);

const json = (value: unknown): Uint8Array => new Uint8Array(Buffer.from(JSON.stringify(value), 'utf8'));

const stringHeader = (value: string) => ({ type: 'string' as const, value });

/** Encodes one frame as the service sends it. */
export function encodeFrame(frame: Exclude<AgentFrame, { pauseMs: number }>): Uint8Array {
  if ('exception' in frame) {
    const headers: MessageHeaders = {
      ':message-type': stringHeader('exception'),
      ':exception-type': stringHeader(frame.exception),
      ':content-type': stringHeader('application/json'),
    };
    return codec.encode({ headers, body: json({ message: frame.message }) });
  }
  const [eventType, payload] =
    'chunk' in frame
      ? [
          'chunk',
          {
            bytes: Buffer.from(frame.chunk.text, 'utf8').toString('base64'),
            ...(frame.chunk.attribution ? { attribution: frame.chunk.attribution } : {}),
          },
        ]
      : 'trace' in frame
        ? ['trace', frame.trace]
        : 'returnControl' in frame
          ? ['returnControl', frame.returnControl]
          : ['files', frame.files];
  const headers: MessageHeaders = {
    ':message-type': stringHeader('event'),
    ':event-type': stringHeader(eventType),
    ':content-type': stringHeader('application/json'),
  };
  return codec.encode({ headers, body: json(payload) });
}

/** Frame builders for readable scripts. */
export const frame = {
  text: (text: string, citations?: unknown[]): AgentFrame => ({
    chunk: { text, ...(citations ? { attribution: { citations } } : {}) },
  }),
  /** A trace event around one trace union member, e.g. `{ orchestrationTrace: { rationale: { text } } }`. */
  trace: (trace: Record<string, unknown>, sessionId = 'trace-session'): AgentFrame => ({
    trace: {
      agentId: 'AGENT12345',
      agentAliasId: 'ALIAS12345',
      agentVersion: '1',
      sessionId,
      eventTime: '2026-01-01T00:00:00Z',
      trace,
    },
  }),
  returnControl: (invocationId: string, invocationInputs: unknown[]): AgentFrame => ({
    returnControl: { invocationId, invocationInputs },
  }),
  exception: (exception: InStreamException, message: string): AgentFrame => ({ exception, message }),
  pause: (pauseMs: number): AgentFrame => ({ pauseMs }),
  /** An orchestration trace of an action-group call (`actionGroupInvocationInput`: actionGroupName, verb, …). */
  actionGroupCall: (traceId: string, input: Record<string, unknown>): AgentFrame =>
    frame.trace({
      orchestrationTrace: {
        invocationInput: { traceId, invocationType: 'ACTION_GROUP', actionGroupInvocationInput: input },
      },
    }),
  /** An orchestration trace of what an action-group call returned. */
  actionGroupOutput: (traceId: string, text: string): AgentFrame =>
    frame.trace({
      orchestrationTrace: {
        observation: { traceId, type: 'ACTION_GROUP', actionGroupInvocationOutput: { text } },
      },
    }),
  /** An orchestration trace of a knowledge-base lookup for `text`. */
  knowledgeBaseLookup: (traceId: string, text: string, knowledgeBaseId = 'KB12345678'): AgentFrame =>
    frame.trace({
      orchestrationTrace: {
        invocationInput: {
          traceId,
          invocationType: 'KNOWLEDGE_BASE',
          knowledgeBaseLookupInput: { text, knowledgeBaseId },
        },
      },
    }),
  /** An orchestration trace of the passages a knowledge-base lookup retrieved (S3 documents). */
  knowledgeBaseResults: (traceId: string, references: { text: string; uri: string }[]): AgentFrame =>
    frame.trace({
      orchestrationTrace: {
        observation: {
          traceId,
          type: 'KNOWLEDGE_BASE',
          knowledgeBaseLookupOutput: {
            retrievedReferences: references.map(({ text, uri }) => ({
              content: { text },
              location: { type: 'S3', s3Location: { uri } },
            })),
          },
        },
      },
    }),
  /** An orchestration trace of one model call's token usage. */
  modelUsage: (traceId: string, inputTokens: number, outputTokens: number): AgentFrame =>
    frame.trace({
      orchestrationTrace: {
        modelInvocationOutput: { traceId, metadata: { usage: { inputTokens, outputTokens } } },
      },
    }),
};

/** A citation as the service sends it: the generated text part and its retrieved references. */
export function citation(
  text: string,
  span: { start: number; end: number },
  references: { uri: string; text?: string; metadata?: Record<string, unknown> }[],
): Record<string, unknown> {
  return {
    generatedResponsePart: { textResponsePart: { text, span } },
    retrievedReferences: references.map((r) => ({
      content: { type: 'TEXT', text: r.text ?? `excerpt of ${r.uri}` },
      location: { type: 'S3', s3Location: { uri: r.uri } },
      ...(r.metadata ? { metadata: r.metadata } : {}),
    })),
  };
}

/** Waits `ms`, or less if the client goes away first (so a closed server leaves no timer behind). */
const pause = (stream: http2.ServerHttp2Stream, ms: number) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      stream.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    stream.once('close', done);
  });

function headersOf(raw: http2.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (value !== undefined) out[key] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return out;
}

/**
 * Starts the server on 127.0.0.1 and a free port.
 * @param scripts responses for the first requests, in order (more with `enqueue`)
 */
export async function startInvokeAgentServer(...scripts: Script[]): Promise<InvokeAgentServer> {
  const queue: Script[] = [...scripts];
  const requests: RecordedInvokeRequest[] = [];
  const sessions = new Set<http2.ServerHttp2Session>();
  const server = http2.createServer();
  server.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });

  const sendError = (stream: http2.ServerHttp2Stream, status: number, type: string, message: string) => {
    if (stream.destroyed) return;
    stream.respond({ ':status': status, 'content-type': 'application/json', 'x-amzn-errortype': type });
    stream.end(JSON.stringify({ message }));
  };

  server.on('stream', (stream, rawHeaders) => {
    const chunks: Buffer[] = [];
    stream.on('data', (data: Buffer) => chunks.push(data));
    stream.on('error', () => undefined);
    stream.on('end', () => {
      void (async () => {
        const path = String(rawHeaders[':path'] ?? '').split('?')[0] ?? '';
        const match = PATH.exec(path);
        if (rawHeaders[':method'] !== 'POST' || !match) {
          sendError(
            stream,
            404,
            'UnknownOperationException',
            `no route for ${rawHeaders[':method']} ${path}`,
          );
          return;
        }
        const text = Buffer.concat(chunks).toString('utf8');
        const request: RecordedInvokeRequest = {
          agentId: decodeURIComponent(match[1] ?? ''),
          agentAliasId: decodeURIComponent(match[2] ?? ''),
          sessionId: decodeURIComponent(match[3] ?? ''),
          headers: headersOf(rawHeaders),
          body: text ? (JSON.parse(text) as InvokeAgentBody) : {},
        };
        requests.push(request);
        const script = queue.shift();
        if (!script) {
          sendError(
            stream,
            500,
            'InternalServerException',
            `no scripted response for request ${requests.length}`,
          );
          return;
        }
        const response = typeof script === 'function' ? script(request) : script;
        if (response.httpError) {
          sendError(stream, response.httpError.status, response.httpError.type, response.httpError.message);
          return;
        }
        stream.respond({
          ':status': 200,
          'content-type': 'application/vnd.amazon.eventstream',
          'x-amzn-bedrock-agent-content-type': 'application/json',
          'x-amz-bedrock-agent-session-id': request.sessionId,
          ...(request.body.memoryId ? { 'x-amz-bedrock-agent-memory-id': request.body.memoryId } : {}),
        });
        for (const f of response.frames ?? []) {
          if (stream.destroyed) return;
          if ('pauseMs' in f) await pause(stream, f.pauseMs);
          else stream.write(encodeFrame(f));
        }
        if (!stream.destroyed) stream.end();
      })();
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    requests,
    enqueue: (...more) => {
      queue.push(...more);
    },
    pending: () => queue.length,
    env: () => ({
      AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME: url,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDLOCALTEST',
      AWS_SECRET_ACCESS_KEY: 'local-test-secret',
    }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const session of sessions) session.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * Sets `vars` in `process.env` and returns a function that restores the previous values: for `beforeAll`
 * / `afterAll`.
 */
export function setEnv(vars: Record<string, string | undefined>): () => void {
  const previous = Object.fromEntries(Object.keys(vars).map((key) => [key, process.env[key]]));
  const apply = (values: Record<string, string | undefined>) => {
    for (const [key, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
  apply(vars);
  return () => apply(previous);
}

/**
 * A fresh server for each test of the file (or `describe` block) that calls this, with `process.env`
 * pointing a standard SDK client at it (plus `env`: `undefined` unsets a variable) and restored after the
 * test. The returned object stands for the running test's server.
 */
export function useInvokeAgentServer(env: Record<string, string | undefined> = {}): InvokeAgentServer {
  let restoreEnv: () => void = () => undefined;
  return perTest(
    async () => {
      const server = await startInvokeAgentServer();
      restoreEnv = setEnv({ ...server.env(), ...env });
      return server;
    },
    async (server) => {
      restoreEnv();
      await server.close();
    },
  );
}

/** A parameter or request-body property of a returned-control call: `{ name, type: 'string', value }`. */
const stringValues = (values: Record<string, string>) =>
  Object.entries(values).map(([name, value]) => ({ name, type: 'string', value }));

/**
 * An API tool call as a `returnControl` event hands it over (`apiInvocationInput`), of action group
 * `report` unless told. `parameters` and `body` (JSON request-body properties) are string values; each
 * key is sent only when given.
 */
export function apiInvocation(
  httpMethod: string,
  apiPath: string,
  call: {
    readonly actionGroup?: string;
    readonly parameters?: Record<string, string>;
    readonly body?: Record<string, string>;
    readonly invocationType?: 'RESULT' | 'USER_CONFIRMATION' | 'USER_CONFIRMATION_AND_RESULT';
  } = {},
): Record<string, unknown> {
  return {
    apiInvocationInput: {
      actionGroup: call.actionGroup ?? 'report',
      apiPath,
      httpMethod,
      ...(call.parameters ? { parameters: stringValues(call.parameters) } : {}),
      ...(call.body
        ? { requestBody: { content: { 'application/json': { properties: stringValues(call.body) } } } }
        : {}),
      actionInvocationType: call.invocationType ?? 'RESULT',
    },
  };
}
