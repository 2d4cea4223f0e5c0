import * as fs from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import type { Duplex } from 'node:stream';
import { contentSecurityPolicy, STATIC_SECURITY_HEADERS } from '../../contracts/hosting-policy';

/** What `kass web` serves: the built page, its `config.json`, and optionally a local backend beside it. */
export interface PageServerOptions {
  /** The built page (`index.html` + `assets/`). */
  readonly distDir: string;
  /** `/config.json`, from the server's own base URL (known once it listens). */
  readonly config: (baseUrl: string) => Record<string, unknown>;
  /** Origins the page may connect to besides itself (the APIs, the sign-in service). */
  readonly connectOrigins: (baseUrl: string) => readonly string[];
  /** @default 'localhost' */
  readonly host?: string;
  /** @default 3000 (0 picks a free port) */
  readonly port?: number;
  /** Routes of a local backend, tried before the page's files. */
  readonly backend?: {
    handleRest(request: IncomingMessage, response: ServerResponse, url: URL): boolean;
    handleUpgrade(request: IncomingMessage, socket: Duplex, url: URL): boolean;
    closeAll(): void;
  };
}

export interface RunningPageServer {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Serves the page like the hosting construct does: the same security headers (CSP included), `index.html`
 * for any path without a file extension (the page routes itself), 404 for missing files, hashed assets cached
 * for good and `index.html`/`config.json` never cached.
 */
export async function startPageServer(options: PageServerOptions): Promise<RunningPageServer> {
  const root = path.resolve(options.distDir);
  if (!fs.existsSync(path.join(root, 'index.html'))) {
    throw new Error(`${root} has no index.html: build the page first (vite build web/)`);
  }
  let baseUrl = '';
  let headers: Record<string, string> = {};

  const send = (
    response: ServerResponse,
    status: number,
    type: string,
    body: Buffer | string,
    cache: string,
  ) => {
    response.writeHead(status, { ...headers, 'Content-Type': type, 'Cache-Control': cache });
    response.end(body);
  };

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', baseUrl);
    if (options.backend?.handleRest(request, response, url)) return;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      send(response, 405, TYPES['.txt'] ?? '', 'Method not allowed', 'no-store');
      return;
    }
    if (url.pathname === '/config.json') {
      send(response, 200, TYPES['.json'] ?? '', JSON.stringify(options.config(baseUrl)), 'no-cache');
      return;
    }
    let pathname: string;
    try {
      pathname = decodeURIComponent(url.pathname);
    } catch {
      send(response, 400, TYPES['.txt'] ?? '', 'Bad path', 'no-store');
      return;
    }
    const extension = path.extname(pathname);
    const file = extension ? path.resolve(root, `.${pathname}`) : path.join(root, 'index.html');
    if (!file.startsWith(`${root}${path.sep}`) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      send(response, 404, TYPES['.txt'] ?? '', 'Not found', 'no-store');
      return;
    }
    const immutable = pathname.startsWith('/assets/');
    send(
      response,
      200,
      TYPES[path.extname(file)] ?? 'application/octet-stream',
      fs.readFileSync(file),
      immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    );
  });
  server.on('upgrade', (request: IncomingMessage, socket: Duplex) => {
    const url = new URL(request.url ?? '/', baseUrl);
    if (!options.backend?.handleUpgrade(request, socket, url)) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
    }
  });

  const host = options.host ?? 'localhost';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 3000, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://${host}:${port}`;
  headers = {
    ...STATIC_SECURITY_HEADERS,
    'Content-Security-Policy': contentSecurityPolicy(options.connectOrigins(baseUrl)),
  };
  return {
    url: `${baseUrl}/`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        options.backend?.closeAll();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
