import { createServer, type Server, type Socket } from 'node:net';

/**
 * Endpoints a client cannot use, for testing what the CLI says about them: a port where nothing listens
 * (connection refused), a host under the reserved `.invalid` top-level domain (never resolves, RFC 6761), and a
 * server that accepts connections and never answers.
 */

/** An endpoint on a port that was free a moment ago: connecting is refused. */
export async function refusedEndpoint(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** A host name that never resolves. */
export const UNRESOLVABLE_ENDPOINT = 'http://aws.kass-test.invalid';

/** A server that accepts every connection and never sends a byte. */
export interface HangingServer {
  readonly endpoint: string;
  /** Connections accepted so far. */
  readonly accepted: () => number;
  close(): Promise<void>;
}

export async function startHangingServer(): Promise<HangingServer> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server: Server = createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // Read and drop whatever the client sends; never answer.
    socket.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    accepted: () => accepted,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
