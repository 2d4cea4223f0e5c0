import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';

/** One request s3rver received (recorded before routing). */
export interface S3Request {
  readonly method: string;
  /** Path-style: `/<bucket>/<key>` (URL-decoded). */
  readonly path: string;
  readonly query: string;
}

/** A fault: answer with an S3 error instead of s3rver, or let s3rver answer after a delay. */
export type S3Fault = { readonly status: number; readonly code: string } | { readonly delayMs: number };

export interface LocalS3 {
  readonly endpoint: string;
  /**
   * A client for the test's own setup and assertions. It sends checksums only when required: with the SDK
   * default a stream body goes out aws-chunked and s3rver would store the framing (toolchain.md §9). The code
   * under test keeps its standard configuration.
   */
  readonly client: S3Client;
  /** Every request since the start or the last {@link LocalS3.clearRequests}. */
  readonly requests: S3Request[];
  /** PUT object requests since the last clear, as `bucket/key`. */
  puts(): string[];
  clearRequests(): void;
  /**
   * Resolves once no request is in progress and none arrived for `quietMs`: a client that was killed may still
   * have a request in its socket that the server reads after the client is gone.
   */
  settled(quietMs?: number): Promise<void>;
  /** Applies the fault to matching requests (e.g. every PUT after the k-th) until cleared with `undefined`. */
  injectFault(fault: ((request: S3Request) => S3Fault | undefined) | undefined): void;
  createBucket(name: string): Promise<void>;
  /** All keys in a bucket under a prefix, sorted. */
  keys(bucket: string, prefix?: string): Promise<string[]>;
  /** Environment for code that builds clients from standard configuration (AWS_ENDPOINT_URL_S3, creds). */
  readonly env: Record<string, string>;
  close(): Promise<void>;
}

/** Test credentials s3rver accepts (it checks signatures against these). */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

interface KoaContext {
  req: { socket: { destroyed: boolean } };
  method: string;
  path: string;
  querystring: string;
  status: number;
  body: unknown;
  type: string;
}
type KoaMiddleware = (ctx: KoaContext, next: () => Promise<void>) => Promise<void>;
interface S3rverInstance {
  middleware: KoaMiddleware[];
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
}
type S3rverCtor = new (options: Record<string, unknown>) => S3rverInstance;

/**
 * Starts s3rver on 127.0.0.1 with a free port, storing objects in a fresh temp folder, and creates `buckets`.
 * s3rver (3.7, pure JS) implements put, get, head, list (v2), delete and multi-delete; it has no type
 * declarations, so it is loaded with `require` and typed here.
 */
export async function startS3rver(options: { buckets?: readonly string[] } = {}): Promise<LocalS3> {
  const S3rver = require('s3rver') as S3rverCtor;
  const directory = mkdtempSync(join(tmpdir(), 'kass-s3rver-'));
  const server = new S3rver({ port: 0, address: '127.0.0.1', directory, silent: true });
  const requests: S3Request[] = [];
  let fault: ((request: S3Request) => S3Fault | undefined) | undefined;
  let inFlight = 0;
  let lastActivity = Date.now();
  // Runs before s3rver's own middleware (Koa composes the array when the server starts).
  server.middleware.unshift(async (ctx, next) => {
    inFlight += 1;
    lastActivity = Date.now();
    try {
      await handle(ctx, next);
    } finally {
      inFlight -= 1;
      lastActivity = Date.now();
    }
  });
  const handle = async (ctx: KoaContext, next: () => Promise<void>): Promise<void> => {
    const request = { method: ctx.method, path: decodeURIComponent(ctx.path), query: ctx.querystring };
    requests.push(request);
    const injected = fault?.(request);
    if (!injected) return next();
    if ('delayMs' in injected) {
      await new Promise((resolve) => setTimeout(resolve, injected.delayMs));
      // A client that gave up meanwhile (an aborted upload) must not reach s3rver half-sent.
      if (ctx.req.socket.destroyed) return;
      return next();
    }
    ctx.status = injected.status;
    ctx.type = 'application/xml';
    ctx.body = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${injected.code}</Code><Message>injected by the test</Message></Error>`;
  };
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials: S3RVER_CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
  const local: LocalS3 = {
    endpoint,
    client,
    requests,
    puts: () =>
      requests
        .filter((r) => r.method === 'PUT' && /^\/[^/]+\/./.test(r.path) && !r.query.includes('uploadId'))
        .map((r) => r.path.slice(1)),
    clearRequests: () => {
      requests.length = 0;
    },
    settled: async (quietMs = 300) => {
      while (inFlight > 0 || Date.now() - lastActivity < quietMs)
        await new Promise((resolve) => setTimeout(resolve, 25));
    },
    injectFault: (f) => {
      fault = f;
    },
    createBucket: async (name) => {
      await client.send(new CreateBucketCommand({ Bucket: name }));
    },
    keys: async (bucket, prefix) => {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
        );
        for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return keys.sort();
    },
    env: {
      AWS_ENDPOINT_URL_S3: endpoint,
      AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
      AWS_REGION: 'us-east-1',
    },
    close: async () => {
      client.destroy();
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
  for (const bucket of options.buckets ?? []) await local.createBucket(bucket);
  return local;
}
