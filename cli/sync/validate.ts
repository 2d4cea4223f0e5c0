import { isRecord as isObject } from '../../contracts/json';
import {
  DOCUMENT_TYPES,
  extensionOf,
  formatBytes,
  isSidecar,
  keyOf,
  MAX_KEY_BYTES,
  type SyncLimits,
  sidecarTarget,
} from './layout';
import type { LocalFile } from './scan';

/** A file the sync will not upload, and why (shown to the user as `relPath: reason`). */
export interface Rejection {
  readonly relPath: string;
  readonly reason: string;
}

export interface ValidationResult {
  readonly accepted: LocalFile[];
  readonly rejected: Rejection[];
}

/** Longest metadata key a Retrieve filter can name (`RetrievalFilter` leaf `key`: 1–100 characters). */
const MAX_ATTRIBUTE_KEY = 100;

const TYPED_VALUE_FIELDS = {
  STRING: 'stringValue',
  NUMBER: 'numberValue',
  BOOLEAN: 'booleanValue',
  STRING_LIST: 'stringListValue',
} as const;

const SUPPORTED = Object.keys(DOCUMENT_TYPES).join(' ');

/** Problems with one attribute value in simple (`"team": "it-ops"`) or typed (`{value: {type, …}}`) form. */
function attributeProblems(key: string, value: unknown): string[] {
  const where = `attribute "${key}"`;
  if (key.length < 1 || key.length > MAX_ATTRIBUTE_KEY)
    return [`${where}: keys must be 1-${MAX_ATTRIBUTE_KEY} characters`];
  if (typeof value === 'string' || typeof value === 'boolean') return [];
  if (typeof value === 'number') return Number.isFinite(value) ? [] : [`${where}: not a finite number`];
  if (Array.isArray(value))
    return value.every((item) => typeof item === 'string') ? [] : [`${where}: a list may hold strings only`];
  if (!isObject(value))
    return [`${where}: use a string, number, boolean, list of strings or {"value": {"type": ...}}`];
  const extra = Object.keys(value).filter((k) => k !== 'value' && k !== 'includeForEmbedding');
  if (extra.length > 0)
    return [`${where}: unexpected field "${extra[0]}" (expected value, includeForEmbedding)`];
  if (value.includeForEmbedding !== undefined && typeof value.includeForEmbedding !== 'boolean')
    return [`${where}: includeForEmbedding must be true or false`];
  const typed = value.value;
  if (!isObject(typed))
    return [`${where}: "value" must be an object such as {"type": "STRING", "stringValue": "x"}`];
  const type = typed.type;
  if (typeof type !== 'string' || !(type in TYPED_VALUE_FIELDS))
    return [`${where}: value.type must be one of ${Object.keys(TYPED_VALUE_FIELDS).join(', ')}`];
  const field = TYPED_VALUE_FIELDS[type as keyof typeof TYPED_VALUE_FIELDS];
  const v = typed[field];
  const ok =
    type === 'STRING'
      ? typeof v === 'string'
      : type === 'NUMBER'
        ? typeof v === 'number' && Number.isFinite(v)
        : type === 'BOOLEAN'
          ? typeof v === 'boolean'
          : Array.isArray(v) && v.every((item) => typeof item === 'string');
  return ok ? [] : [`${where}: type ${type} needs a valid "${field}"`];
}

/**
 * Checks a metadata sidecar's text against the knowledge-base format:
 * `{"metadataAttributes": {...}}` with simple or typed values; CSV sidecars may add
 * `documentStructureConfiguration`. Pure.
 * @param text the file's content
 * @param target the document it describes (decides whether `documentStructureConfiguration` is allowed)
 * @returns the problems found, empty when the sidecar is valid
 */
export function sidecarProblems(text: string, target: string): string[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return [`not valid JSON (${(err as Error).message})`];
  }
  if (!isObject(doc)) return ['must be a JSON object: {"metadataAttributes": {...}}'];
  const problems: string[] = [];
  for (const key of Object.keys(doc)) {
    if (key === 'metadataAttributes') continue;
    if (key === 'documentStructureConfiguration') {
      if (extensionOf(target) !== '.csv')
        problems.push('documentStructureConfiguration applies to .csv files only');
      continue;
    }
    problems.push(`unexpected key "${key}" (expected metadataAttributes)`);
  }
  const attributes = doc.metadataAttributes;
  if (!isObject(attributes)) return [...problems, 'metadataAttributes must be an object of key: value'];
  for (const [key, value] of Object.entries(attributes)) problems.push(...attributeProblems(key, value));
  return problems;
}

/**
 * Decides which scanned files can be uploaded: supported type, size limits, S3 key length, and for sidecars
 * valid content and an accepted document beside them. Never throws for a bad file: each gets a reason.
 * @param files the scanned files
 * @param readText reads a (small) sidecar file
 * @param limits size limits (tests lower them)
 */
export async function validateFiles(
  files: readonly LocalFile[],
  readText: (file: LocalFile) => Promise<string>,
  limits: SyncLimits,
): Promise<ValidationResult> {
  const rejected: Rejection[] = [];
  const acceptedDocs = new Set<string>();
  const documentNames = new Set(files.filter((f) => !isSidecar(f.relPath)).map((f) => f.relPath));
  const reject = (relPath: string, reason: string) => rejected.push({ relPath, reason });
  const keyTooLong = (f: LocalFile) => Buffer.byteLength(keyOf(f.relPath), 'utf8') > MAX_KEY_BYTES;

  for (const file of files) {
    if (isSidecar(file.relPath)) continue;
    const ext = extensionOf(file.relPath);
    if (!(ext in DOCUMENT_TYPES))
      reject(
        file.relPath,
        ext
          ? `unsupported file type ${ext} (supported: ${SUPPORTED}, and <file>.metadata.json sidecars)`
          : `no file extension (supported: ${SUPPORTED})`,
      );
    else if (file.size > limits.maxDocumentBytes)
      reject(
        file.relPath,
        `${formatBytes(file.size)} is over the ${formatBytes(limits.maxDocumentBytes)} per-file ingestion limit`,
      );
    else if (file.size === 0) reject(file.relPath, 'empty file (nothing to index)');
    else if (keyTooLong(file)) reject(file.relPath, `S3 key longer than ${MAX_KEY_BYTES} bytes`);
    else acceptedDocs.add(file.relPath);
  }

  const sidecars = files.filter((f) => isSidecar(f.relPath));
  const sidecarChecks = await Promise.all(
    sidecars.map(async (file): Promise<string | undefined> => {
      const target = sidecarTarget(file.relPath);
      if (!documentNames.has(target)) return `orphan sidecar: there is no ${target} beside it`;
      if (!acceptedDocs.has(target))
        return `its document ${target} is rejected, so its metadata is not uploaded`;
      if (file.size > limits.maxSidecarBytes)
        return `${formatBytes(file.size)} is over the ${formatBytes(limits.maxSidecarBytes)} metadata file limit`;
      if (keyTooLong(file)) return `S3 key longer than ${MAX_KEY_BYTES} bytes`;
      let text: string;
      try {
        text = await readText(file);
      } catch (err) {
        return `cannot read (${(err as { code?: string }).code ?? 'error'})`;
      }
      const problems = sidecarProblems(text, target);
      return problems.length > 0 ? problems.join('; ') : undefined;
    }),
  );
  sidecars.forEach((file, i) => {
    const reason = sidecarChecks[i];
    if (reason) reject(file.relPath, reason);
  });

  const rejectedNames = new Set(rejected.map((r) => r.relPath));
  rejected.sort((a, b) => (a.relPath < b.relPath ? -1 : 1));
  return { accepted: files.filter((f) => !rejectedNames.has(f.relPath)), rejected };
}
