/**
 * HTTP details of the GitLab adapter: the base URL it may call (https only, no credentials in it), Retry-After,
 * and reading a response body with a size cap.
 */

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Origin and path prefix of a GitLab base URL, or a cold-start error. */
export function parseBaseUrl(raw: string, allowInsecure: boolean): { origin: string; prefix: string } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(
      'GITLAB_BASE_URL is not a valid URL; set tools.codeReview.gitlabBaseUrl to https://<host>.',
    );
  }
  const insecureOk = allowInsecure && url.protocol === 'http:' && LOOPBACK.has(url.hostname);
  if (url.protocol !== 'https:' && !insecureOk) {
    throw new Error('GITLAB_BASE_URL must be an https:// URL (the token must never travel in clear text).');
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new Error('GITLAB_BASE_URL must not contain credentials, a query or a fragment.');
  }
  return { origin: url.origin, prefix: url.pathname.replace(/\/+$/, '') };
}

/** Seconds from a Retry-After header (delta-seconds or an HTTP date), clamped to 1..3600. */
export function retryAfterSeconds(header: string | null, now: number): number | undefined {
  if (!header) return undefined;
  const text = header.trim();
  const seconds = /^\d+$/.test(text) ? Number(text) : Math.ceil((Date.parse(text) - now) / 1000);
  if (!Number.isFinite(seconds)) return undefined;
  return Math.min(3600, Math.max(1, seconds));
}

export class BodyTooLarge extends Error {
  constructor() {
    super('GitLab response exceeded the size limit');
    this.name = 'BodyTooLarge';
  }
}

/** Reads a body as text, stopping at `maxBytes`. */
export async function readCapped(response: Response, maxBytes: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new BodyTooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
