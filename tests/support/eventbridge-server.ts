import { randomUUID } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for EventBridge's PutEvents (AWS JSON 1.1: `POST /`, `X-Amz-Target: AWSEvents.PutEvents`),
 * for clients built from the standard SDK configuration (`AWS_ENDPOINT_URL_EVENTBRIDGE=server.url`). It keeps
 * the entries it accepted; `mode` makes it refuse them (`FailedEntryCount`) or never answer.
 */

export interface PutEventsEntry {
  readonly Source: string;
  readonly DetailType: string;
  readonly Detail: string;
  readonly EventBusName?: string;
}

export interface EventBridgeServer {
  readonly url: string;
  readonly entries: readonly PutEventsEntry[];
  /** `ok` (default), `refuse` (every entry fails), `hang` (no answer until closed). */
  mode: 'ok' | 'refuse' | 'hang';
  /** The environment that points a standard SDK client here, with test credentials and region. */
  env(): Record<string, string>;
  close(): Promise<void>;
}

export async function startEventBridgeServer(): Promise<EventBridgeServer> {
  const entries: PutEventsEntry[] = [];
  const hanging = new Set<ServerResponse>();
  const state: { mode: EventBridgeServer['mode'] } = { mode: 'ok' };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.headers['x-amz-target'] !== 'AWSEvents.PutEvents') {
        res.writeHead(400, { 'Content-Type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify({ __type: 'UnknownOperationException' }));
        return;
      }
      if (state.mode === 'hang') {
        hanging.add(res);
        return;
      }
      const input = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Entries: PutEventsEntry[] };
      const refuse = state.mode === 'refuse';
      if (!refuse) entries.push(...input.Entries);
      res.writeHead(200, { 'Content-Type': 'application/x-amz-json-1.1' });
      res.end(
        JSON.stringify({
          FailedEntryCount: refuse ? input.Entries.length : 0,
          Entries: input.Entries.map(() =>
            refuse
              ? { ErrorCode: 'InternalFailure', ErrorMessage: 'refused by the test server' }
              : { EventId: randomUUID() },
          ),
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const result: EventBridgeServer = {
    url,
    entries,
    get mode() {
      return state.mode;
    },
    set mode(mode) {
      state.mode = mode;
    },
    env: () => ({
      AWS_ENDPOINT_URL_EVENTBRIDGE: url,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDLOCALTEST',
      AWS_SECRET_ACCESS_KEY: 'local-test-secret',
    }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return result;
}
