import * as path from 'node:path';

/**
 * What the knowledge base accepts and where `kass sync` puts it. The prefix is the data source's inclusion
 * prefix (`DOCUMENTS_PREFIX` in infra/constructs/documents-bucket.ts, which the CLI must not import; a test
 * keeps the two equal).
 */
export const DOCUMENTS_PREFIX = 'documents/';

/** Local folder synced when no folder is given, relative to the working directory. */
export const DEFAULT_DOCUMENTS_FOLDER = path.join('knowledge', 'documents');

/** `<file name including extension>.metadata.json`, beside the document it describes. */
export const SIDECAR_SUFFIX = '.metadata.json';

/** Document types Bedrock knowledge bases parse (text documents), with the Content-Type sent to S3. */
export const DOCUMENT_TYPES: Readonly<Record<string, string>> = {
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.doc': 'application/msword',
  '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  '.csv': 'text/csv; charset=utf-8',
  '.xls': 'application/vnd.ms-excel',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  '.pdf': 'application/pdf',
};

export const SIDECAR_CONTENT_TYPE = 'application/json';

/** Service quotas the sync checks before uploading. */
export interface SyncLimits {
  /** "Ingestion job file size": 50 MB per document. */
  readonly maxDocumentBytes: number;
  /** Metadata sidecars: "The file size doesn't exceed the quota of 10 KB." */
  readonly maxSidecarBytes: number;
}

export const DEFAULT_LIMITS: SyncLimits = {
  maxDocumentBytes: 50 * 1024 * 1024,
  maxSidecarBytes: 10 * 1024,
};

/** S3 object keys are at most 1,024 bytes of UTF-8. */
export const MAX_KEY_BYTES = 1024;

export const isSidecar = (relPath: string): boolean => relPath.endsWith(SIDECAR_SUFFIX);

/** The document a sidecar describes (`raw/a.pdf.metadata.json` → `raw/a.pdf`). */
export const sidecarTarget = (relPath: string): string => relPath.slice(0, -SIDECAR_SUFFIX.length);

/** Lower-case extension of a document, `''` when none. */
export const extensionOf = (relPath: string): string => path.posix.extname(relPath).toLowerCase();

export const contentTypeOf = (relPath: string): string =>
  isSidecar(relPath)
    ? SIDECAR_CONTENT_TYPE
    : (DOCUMENT_TYPES[extensionOf(relPath)] ?? 'application/octet-stream');

/** The S3 key of a file, from its path relative to the synced folder (always `/`-separated). */
export const keyOf = (relPath: string): string => `${DOCUMENTS_PREFIX}${relPath}`;

/** Human sizes for messages: `8.0 KB`, `51.2 MB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
