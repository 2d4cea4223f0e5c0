import { isRecord } from '../../contracts/json';
import type { EventRouting } from './event';

/** The Lambda response for an OpenAPI action group (contract §2.1). */
export interface AgentApiResponse {
  readonly messageVersion: '1.0';
  readonly response: {
    readonly actionGroup: string;
    readonly apiPath: string;
    readonly httpMethod: string;
    readonly httpStatusCode: number;
    readonly responseBody: { readonly 'application/json': { readonly body: string } };
  };
  readonly sessionAttributes: Record<string, string>;
  readonly promptSessionAttributes: Record<string, string>;
}

export interface ResponseOptions {
  /**
   * Largest JSON body, in characters. The body is injected into the model prompt, so long lists cost tokens
   * and latency; larger bodies are truncated with an explicit marker.
   * @default 20_000
   */
  readonly maxBodyChars?: number;
}

export const DEFAULT_MAX_BODY_CHARS = 20_000;

/** A body that always serialises, used when the handler's result cannot be. */
const UNEXPECTED_BODY = { error: 'The tool failed unexpectedly. Try again later.' };

type Json = Record<string, unknown>;

/** Keeps only string values: the service type is `map<string,string>`. */
function stringMap(value: unknown): Record<string, string> {
  if (!isRecord(value)) return {};
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(value)) if (typeof v === 'string') out[key] = v;
  return out;
}

const validStatus = (status: number): number =>
  Number.isInteger(status) && status >= 100 && status <= 599 ? status : 500;

/** `JSON.stringify` that reports failure (cycles, BigInt) instead of throwing; `undefined` becomes `null`. */
function stringify(body: unknown): string | undefined {
  try {
    return JSON.stringify(body) ?? 'null';
  } catch {
    return undefined;
  }
}

function truncationNote(field: string, kept: number, total: number): string {
  return `Showing the first ${kept} of ${total} items in "${field}" because the result was too long. Ask for fewer or narrower results to see the rest.`;
}

/** Largest `n` in [0, hi] with `fits(n)`, assuming `fits` is monotone and `fits(0)` was checked by the caller. */
function largestFitting(hi: number, fits: (n: number) => boolean): number {
  let lo = 0;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Drops items from the end of array fields, largest first, until the object fits. */
function truncateArrays(body: Json, limit: number): string | undefined {
  const arrays = Object.entries(body)
    .filter((entry): entry is [string, unknown[]] => Array.isArray(entry[1]) && entry[1].length > 0)
    .map(([key, items]) => ({ key, items, size: stringify(items)?.length ?? 0 }))
    .sort((a, b) => b.size - a.size);
  const current: Json = { ...body };
  for (const { key, items } of arrays) {
    const render = (n: number): string =>
      stringify({
        ...current,
        [key]: items.slice(0, n),
        truncated: true,
        note: truncationNote(key, n, items.length),
      }) ?? '';
    if (render(0).length <= limit) {
      const kept = largestFitting(items.length, (n) => render(n).length <= limit);
      return render(kept);
    }
    current[key] = [];
  }
  return undefined;
}

/** Replaces the body with a preview of its JSON text that fits the limit (escaping can grow the text). */
function preview(json: string, limit: number): string {
  const note = 'The result was too long and was cut. Ask for fewer or narrower results.';
  let n = Math.max(0, limit - 100);
  for (;;) {
    const out = JSON.stringify({ truncated: true, note, preview: json.slice(0, n) });
    if (out.length <= limit || n === 0) return out;
    n = Math.max(0, n - Math.max(1, out.length - limit));
  }
}

/** Serialises `body` to at most `limit` characters of valid JSON, marking any cut explicitly. */
export function serializeBody(body: unknown, limit = DEFAULT_MAX_BODY_CHARS): string | undefined {
  const json = stringify(body);
  if (json === undefined || json.length <= limit) return json;
  if (isRecord(body)) return truncateArrays(body, limit) ?? preview(json, limit);
  if (Array.isArray(body)) {
    // A top-level list keeps its items usable: wrap it so the marker has somewhere to go.
    return truncateArrays({ items: body }, limit) ?? preview(json, limit);
  }
  return preview(json, limit);
}

/**
 * Builds the contract response: echoes `actionGroup`, `apiPath`, `httpMethod` (original casing) and both
 * attribute maps, and puts `body` as a JSON string under `application/json`. Never throws; a body that
 * cannot be serialised becomes a generic 500.
 */
export function toAgentResponse(
  event: EventRouting,
  status: number,
  body: unknown,
  options: ResponseOptions = {},
): AgentApiResponse {
  const limit = Math.max(200, options.maxBodyChars ?? DEFAULT_MAX_BODY_CHARS);
  const serialized = serializeBody(body, limit);
  return {
    messageVersion: '1.0',
    response: {
      actionGroup: typeof event.actionGroup === 'string' ? event.actionGroup : '',
      apiPath: typeof event.apiPath === 'string' ? event.apiPath : '',
      httpMethod: typeof event.httpMethod === 'string' ? event.httpMethod : '',
      httpStatusCode: serialized === undefined ? 500 : validStatus(status),
      responseBody: { 'application/json': { body: serialized ?? JSON.stringify(UNEXPECTED_BODY) } },
    },
    sessionAttributes: stringMap(event.sessionAttributes),
    promptSessionAttributes: stringMap(event.promptSessionAttributes),
  };
}
