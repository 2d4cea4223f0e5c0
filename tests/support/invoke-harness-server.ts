import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventStreamCodec, type MessageHeaders } from '@smithy/core/event-streams';
import { setEnv } from './invoke-agent-server';
import { perTest } from './lifecycle';

/**
 * A local stand-in for AgentCore's InvokeHarness: an HTTP/1.1 server (the client's default NodeHttpHandler) that
 * answers `POST /harnesses/invoke?harnessArn=…&qualifier=…` with the real event-stream wire format
 * (`application/vnd.amazon.eventstream`, frames encoded by the SDK's own `EventStreamCodec`, `:event-type` = the
 * stream member name). Point a client built with the SDK's standard configuration at it with
 * `AWS_ENDPOINT_URL_BEDROCK_AGENTCORE=server.url`. Requests are recorded with their query, headers (session id,
 * baggage) and JSON body; each takes the next scripted response.
 */

/** The in-stream exceptions of `InvokeHarnessStreamOutput`. */
export type HarnessException = 'internalServerException' | 'validationException' | 'runtimeClientError';

/** One frame, in the JSON shapes of the service model. */
export type HarnessFrame =
  | { readonly event: string; readonly payload: Record<string, unknown> }
  | { readonly exception: HarnessException; readonly message: string }
  | { readonly pauseMs: number };

export interface ScriptedHarnessResponse {
  readonly frames?: readonly HarnessFrame[];
  readonly httpError?: { readonly status: number; readonly type: string; readonly message: string };
}

export type HarnessScript =
  | ScriptedHarnessResponse
  | ((request: RecordedHarnessRequest) => ScriptedHarnessResponse);

export interface RecordedHarnessRequest {
  readonly query: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: {
    readonly messages?: { role: string; content: Record<string, unknown>[] }[];
    readonly actorId?: string;
    readonly [key: string]: unknown;
  };
}

export interface InvokeHarnessServer {
  readonly url: string;
  readonly requests: readonly RecordedHarnessRequest[];
  enqueue(...scripts: HarnessScript[]): void;
  pending(): number;
  env(): Record<string, string>;
  close(): Promise<void>;
}

const codec = new EventStreamCodec(
  (bytes) => Buffer.from(bytes).toString('utf8'),
  (text) => new Uint8Array(Buffer.from(text, 'utf8')),
);
const json = (value: unknown): Uint8Array => new Uint8Array(Buffer.from(JSON.stringify(value), 'utf8'));
const header = (value: string) => ({ type: 'string' as const, value });

/** Encodes one frame as the service sends it. */
export function encodeHarnessFrame(frame: Exclude<HarnessFrame, { pauseMs: number }>): Uint8Array {
  const headers: MessageHeaders =
    'exception' in frame
      ? {
          ':message-type': header('exception'),
          ':exception-type': header(frame.exception),
          ':content-type': header('application/json'),
        }
      : {
          ':message-type': header('event'),
          ':event-type': header(frame.event),
          ':content-type': header('application/json'),
        };
  return codec.encode({
    headers,
    body: json('exception' in frame ? { message: frame.message } : frame.payload),
  });
}

/** Frame builders: one assistant message, text deltas, tool blocks, stop, usage, hook decisions. */
export const harness = {
  messageStart: (role = 'assistant'): HarnessFrame => ({ event: 'messageStart', payload: { role } }),
  text: (index: number, text: string): HarnessFrame => ({
    event: 'contentBlockDelta',
    payload: { contentBlockIndex: index, delta: { text } },
  }),
  blockStop: (index: number): HarnessFrame => ({
    event: 'contentBlockStop',
    payload: { contentBlockIndex: index },
  }),
  toolUseStart: (index: number, toolUseId: string, name: string, serverName?: string): HarnessFrame => ({
    event: 'contentBlockStart',
    payload: {
      contentBlockIndex: index,
      start: {
        toolUse: {
          toolUseId,
          name,
          type: serverName ? 'mcp_tool_use' : 'tool_use',
          ...(serverName ? { serverName } : {}),
        },
      },
    },
  }),
  toolUseInput: (index: number, input: string): HarnessFrame => ({
    event: 'contentBlockDelta',
    payload: { contentBlockIndex: index, delta: { toolUse: { input } } },
  }),
  toolResultStart: (index: number, toolUseId: string, status = 'success'): HarnessFrame => ({
    event: 'contentBlockStart',
    payload: { contentBlockIndex: index, start: { toolResult: { toolUseId, status } } },
  }),
  toolResultText: (index: number, text: string): HarnessFrame => ({
    event: 'contentBlockDelta',
    payload: { contentBlockIndex: index, delta: { toolResult: [{ text }] } },
  }),
  messageStop: (stopReason: string): HarnessFrame => ({ event: 'messageStop', payload: { stopReason } }),
  usage: (inputTokens: number, outputTokens: number): HarnessFrame => ({
    event: 'metadata',
    payload: {
      usage: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens },
      metrics: { latencyMs: 120 },
    },
  }),
  hook: (name: string, type: string, decision: 'allow' | 'deny', reason?: string): HarnessFrame => ({
    event: 'hookEvent',
    payload: {
      hookEventId: '3f6c1a2e-8d4b-4f7a-9c1e-5b2d7e9a0c41',
      name,
      type,
      decision,
      ...(reason ? { reason } : {}),
    },
  }),
  exception: (exception: HarnessException, message: string): HarnessFrame => ({ exception, message }),
  pause: (pauseMs: number): HarnessFrame => ({ pauseMs }),
};

/** A whole answer: one assistant message with the text in `pieces`, end_turn, usage. */
export const answer = (...pieces: string[]): HarnessFrame[] => [
  harness.messageStart(),
  ...pieces.map((p) => harness.text(0, p)),
  harness.blockStop(0),
  harness.messageStop('end_turn'),
  harness.usage(100, 20),
];

export async function startInvokeHarnessServer(...scripts: HarnessScript[]): Promise<InvokeHarnessServer> {
  const queue: HarnessScript[] = [...scripts];
  const requests: RecordedHarnessRequest[] = [];
  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const url = new URL(req.url ?? '/', 'http://localhost');
        const sendError = (status: number, type: string, message: string) => {
          res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type });
          res.end(JSON.stringify({ message }));
        };
        if (req.method !== 'POST' || url.pathname !== '/harnesses/invoke') {
          sendError(404, 'UnknownOperationException', `no route for ${req.method} ${url.pathname}`);
          return;
        }
        const text = Buffer.concat(chunks).toString('utf8');
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers))
          if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
        const request: RecordedHarnessRequest = {
          query: Object.fromEntries(url.searchParams),
          headers,
          body: text ? (JSON.parse(text) as RecordedHarnessRequest['body']) : {},
        };
        requests.push(request);
        const script = queue.shift();
        if (!script) {
          sendError(500, 'InternalServerException', `no scripted response for request ${requests.length}`);
          return;
        }
        const response = typeof script === 'function' ? script(request) : script;
        if (response.httpError) {
          sendError(response.httpError.status, response.httpError.type, response.httpError.message);
          return;
        }
        res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream' });
        for (const f of response.frames ?? []) {
          if (res.destroyed) return;
          if ('pauseMs' in f) await new Promise((r) => setTimeout(r, f.pauseMs));
          else res.write(encodeHarnessFrame(f));
        }
        res.end();
      })();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
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
      AWS_ENDPOINT_URL_BEDROCK_AGENTCORE: url,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDLOCALTEST',
      AWS_SECRET_ACCESS_KEY: 'local-test-secret',
    }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A fresh server per test, with `process.env` pointing a standard SDK client at it (restored after). */
export function useInvokeHarnessServer(env: Record<string, string | undefined> = {}): InvokeHarnessServer {
  let restore: () => void = () => undefined;
  return perTest(
    async () => {
      const server = await startInvokeHarnessServer();
      restore = setEnv({ ...server.env(), ...env });
      return server;
    },
    async (server) => {
      restore();
      await server.close();
    },
  );
}
