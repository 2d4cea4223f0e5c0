import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { closeServer, listenLocally, readBody } from './http';

/**
 * A local stand-in for a versioned S3 bucket, for what s3rver does not implement: ListObjectVersions
 * (`GET /<bucket>?versions`, paginated with `max-keys`, `key-marker` and `version-id-marker`) and DeleteObjects
 * with version ids (`POST /<bucket>?delete`), both path-style, in S3's XML. Point a client at it with
 * AWS_ENDPOINT_URL_S3 (path-style requests). Objects are versions and delete markers of keys.
 */

export interface FakeVersion {
  readonly key: string;
  readonly versionId: string;
  readonly deleteMarker: boolean;
}

export class VersionedS3Fake {
  /** Bucket name → its versions and delete markers, in listing order. */
  readonly buckets = new Map<string, FakeVersion[]>();
  /** DeleteObjects calls answered, with how many entries each carried. */
  readonly deleteBatches: number[] = [];
  /** Keys DeleteObjects refuses (reported per key as AccessDenied, as S3 does). */
  readonly protectedKeys = new Set<string>();

  private constructor(
    private readonly server: Server,
    readonly endpoint: string,
  ) {}

  static async start(): Promise<VersionedS3Fake> {
    let fake: VersionedS3Fake | undefined;
    const server = createServer((req, res) => {
      void fake?.handle(req, res);
    });
    fake = new VersionedS3Fake(server, await listenLocally(server));
    return fake;
  }

  /** Fills a bucket with `objects` keys, each with `versionsEach` versions, and `markers` delete markers. */
  fill(bucket: string, objects: number, versionsEach = 1, markers = 0): void {
    const versions: FakeVersion[] = [];
    for (let i = 0; i < objects; i++) {
      const key = `documents/raw/doc-${String(i).padStart(5, '0')}.md`;
      for (let v = 0; v < versionsEach; v++)
        versions.push({ key, versionId: randomUUID(), deleteMarker: false });
      if (i < markers) versions.push({ key, versionId: randomUUID(), deleteMarker: true });
    }
    this.buckets.set(bucket, versions);
  }

  close(): Promise<void> {
    return closeServer(this.server);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', this.endpoint);
    const bucket = decodeURIComponent(url.pathname.split('/')[1] ?? '');
    const xml = (status: number, text: string) => {
      res.writeHead(status, { 'content-type': 'application/xml', 'x-amz-request-id': randomUUID() });
      res.end(`<?xml version="1.0" encoding="UTF-8"?>\n${text}`);
    };
    const versions = this.buckets.get(bucket);
    if (!versions)
      return xml(
        404,
        `<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message><BucketName>${bucket}</BucketName></Error>`,
      );
    if (req.method === 'GET' && url.searchParams.has('versions')) {
      const max = Number(url.searchParams.get('max-keys') ?? 1000);
      const keyMarker = url.searchParams.get('key-marker');
      const versionMarker = url.searchParams.get('version-id-marker');
      // As S3: after the marker version; after every version of the marker key once that version is gone.
      const exact = versions.findIndex((v) => v.key === keyMarker && v.versionId === versionMarker);
      const start =
        keyMarker === null
          ? 0
          : exact >= 0
            ? exact + 1
            : ((i) => (i < 0 ? versions.length : i))(versions.findIndex((v) => v.key > keyMarker));
      const page = versions.slice(start, start + max);
      const last = page[page.length - 1];
      const truncated = start + max < versions.length;
      const entry = (v: FakeVersion) =>
        v.deleteMarker
          ? `<DeleteMarker><Key>${v.key}</Key><VersionId>${v.versionId}</VersionId><IsLatest>false</IsLatest><LastModified>2026-01-01T00:00:00.000Z</LastModified></DeleteMarker>`
          : `<Version><Key>${v.key}</Key><VersionId>${v.versionId}</VersionId><IsLatest>false</IsLatest><LastModified>2026-01-01T00:00:00.000Z</LastModified><ETag>"0"</ETag><Size>3</Size><StorageClass>STANDARD</StorageClass></Version>`;
      return xml(
        200,
        `<ListVersionsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${bucket}</Name><Prefix></Prefix>` +
          `<MaxKeys>${max}</MaxKeys><IsTruncated>${truncated}</IsTruncated>` +
          (truncated && last
            ? `<NextKeyMarker>${last.key}</NextKeyMarker><NextVersionIdMarker>${last.versionId}</NextVersionIdMarker>`
            : '') +
          `${page.map(entry).join('')}</ListVersionsResult>`,
      );
    }
    if (req.method === 'POST' && url.searchParams.has('delete')) {
      const objects = [
        ...body.matchAll(
          /<Object>\s*<Key>([^<]*)<\/Key>\s*(?:<VersionId>([^<]*)<\/VersionId>)?\s*<\/Object>/g,
        ),
      ];
      if (objects.length > 1000)
        return xml(
          400,
          '<Error><Code>MalformedXML</Code><Message>At most 1000 keys per request</Message></Error>',
        );
      this.deleteBatches.push(objects.length);
      const results = objects.map(([, key = '', versionId = '']) => {
        if (this.protectedKeys.has(key))
          return `<Error><Key>${key}</Key><VersionId>${versionId}</VersionId><Code>AccessDenied</Code><Message>Access Denied</Message></Error>`;
        const index = versions.findIndex((v) => v.key === key && v.versionId === versionId);
        if (index >= 0) versions.splice(index, 1);
        return `<Deleted><Key>${key}</Key><VersionId>${versionId}</VersionId></Deleted>`;
      });
      return xml(
        200,
        `<DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${results.join('')}</DeleteResult>`,
      );
    }
    xml(501, '<Error><Code>NotImplemented</Code><Message>Not implemented by the fake</Message></Error>');
  }
}
