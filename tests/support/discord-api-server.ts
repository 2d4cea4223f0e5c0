import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { perTest } from './lifecycle';

/**
 * A local stand-in for Discord's REST API (HTTP/1.1 JSON, as `https://discord.com/api/v10` speaks it): it
 * records every request (method, path, headers, JSON body) and answers the next scripted response, or
 * Discord's usual success for the route: `PATCH /webhooks/{app}/{token}/messages/@original` → 200 with the
 * message, `POST /webhooks/{app}/{token}` → 204, `PUT /applications/{app}[/guilds/{guild}]/commands` →
 * 200 with the commands and new ids.
 */

export interface RecordedDiscordRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

export interface DiscordReply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** Wait this long before answering. */
  readonly delayMs?: number;
}

export type DiscordScript = DiscordReply | ((request: RecordedDiscordRequest) => DiscordReply | undefined);

export interface DiscordApiServer {
  /** `http://127.0.0.1:<port>/api/v10`: use as the API base URL. */
  readonly baseUrl: string;
  readonly requests: readonly RecordedDiscordRequest[];
  /** Answers for the next requests, in order (a function may return undefined: the default answer). */
  enqueue(...scripts: DiscordScript[]): void;
  /** The JSON bodies of the requests, in order, as messages posted under an interaction. */
  messages(): { method: string; path: string; body: Record<string, unknown> }[];
  close(): Promise<void>;
}

const PREFIX = '/api/v10';
let nextId = 1_190_000_000_000_000_000n;

function defaultReply(request: RecordedDiscordRequest): DiscordReply {
  const path = request.path.slice(PREFIX.length);
  if (request.method === 'PATCH' && /^\/webhooks\/\d+\/[^/]+\/messages\/@original$/.test(path)) {
    return { status: 200, body: { id: String(nextId++), ...(request.body as object) } };
  }
  if (request.method === 'POST' && /^\/webhooks\/\d+\/[^/]+$/.test(path)) return { status: 204 };
  if (request.method === 'PUT' && /^\/applications\/\d+(\/guilds\/\d+)?\/commands$/.test(path)) {
    const commands = Array.isArray(request.body) ? request.body : [];
    return { status: 200, body: commands.map((c: object) => ({ id: String(nextId++), version: '1', ...c })) };
  }
  return { status: 404, body: { message: '404: Not Found', code: 0 } };
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export async function startDiscordApiServer(): Promise<DiscordApiServer> {
  const queue: DiscordScript[] = [];
  const requests: RecordedDiscordRequest[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
      const request = { method: req.method ?? '', path: req.url ?? '', headers, body: await readBody(req) };
      requests.push(request);
      const script = queue.shift();
      const reply = (typeof script === 'function' ? script(request) : script) ?? defaultReply(request);
      if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
      if (res.destroyed) return;
      res.writeHead(reply.status, {
        ...(reply.body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...reply.headers,
      });
      res.end(reply.body === undefined ? undefined : JSON.stringify(reply.body));
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}${PREFIX}`,
    requests,
    enqueue: (...scripts) => {
      queue.push(...scripts);
    },
    messages: () =>
      requests
        .filter((r) => r.path.startsWith(`${PREFIX}/webhooks/`))
        .map((r) => ({
          method: r.method,
          path: r.path.slice(PREFIX.length),
          body: r.body as Record<string, unknown>,
        })),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A fresh Discord API server for each test of the calling block. */
export const useDiscordApiServer = (): DiscordApiServer =>
  perTest(startDiscordApiServer, (server) => server.close());
