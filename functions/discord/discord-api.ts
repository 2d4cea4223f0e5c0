/**
 * Discord's REST API, the few calls KASS makes, over `fetch`: editing an interaction's original response and
 * sending follow-ups (authorised by the interaction token itself, no bot token), and registering the
 * application commands (bot token). Every request has a timeout, waits out a 429 as long as `Retry-After`
 * fits the caller's budget, and fails with a `DiscordApiError` that names neither the token nor the URL.
 */

/** JSON Discord error codes that mean the interaction token can no longer be used. */
const EXPIRED_TOKEN_CODES = new Set([
  50027, // Invalid Webhook Token (expired after 15 minutes)
  10015, // Unknown Webhook
]);

/** A failed Discord call. `message` is safe to log; it carries no token, URL or response text. */
export class DiscordApiError extends Error {
  constructor(
    /** HTTP status (0: no answer: timeout or network). */
    readonly status: number,
    /** Discord's JSON error `code`, when it sent one. */
    readonly code?: number,
    /** Discord's validation errors (the `errors` object of a 400), for operators. */
    readonly details?: unknown,
    options?: ErrorOptions,
  ) {
    super(
      status === 0
        ? 'Discord did not answer in time'
        : `Discord answered HTTP ${status}${code === undefined ? '' : ` (code ${code})`}`,
      options,
    );
    this.name = 'DiscordApiError';
  }

  /** The interaction token expired (or the webhook is gone): nothing can be posted any more. */
  get tokenExpired(): boolean {
    return (this.status === 401 || this.status === 404) && this.code !== undefined
      ? EXPIRED_TOKEN_CODES.has(this.code)
      : false;
  }
}

/** The fields of a message KASS sends (content, mention policy, components, flags). */
export interface OutgoingMessage {
  readonly content: string;
  /** Always `{ parse: [] }`: nothing the agent writes may ping anyone. */
  readonly allowed_mentions: { readonly parse: readonly never[] };
  readonly components?: readonly unknown[];
  readonly flags?: number;
}

export interface DiscordApiOptions {
  /** `https://discord.com/api/v10`, or a local stand-in (`http://127.0.0.1:<port>`). */
  readonly baseUrl: string;
  /** One request's timeout. @default 5000 */
  readonly requestTimeoutMs?: number;
  /** Tries of one call (the first included) when Discord answers 429 or 5xx. @default 3 */
  readonly maxAttempts?: number;
  /** Longest wait for a 429's `Retry-After`, in ms; a longer one fails the call. @default 10000 */
  readonly maxRetryWaitMs?: number;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** A registered application command, as Discord returns it. */
export interface RegisteredCommand {
  readonly id: string;
  readonly name: string;
  readonly type: number;
}

/** Discord asks for `DiscordBot ($url, $version)`. */
const USER_AGENT = 'DiscordBot (https://github.com/kass-chatbot/kass, 0.1.0)';
const DEFAULT_SLEEP = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const LOOPBACK = /^http:\/\/(localhost|127\.0\.0\.1)(:\d+)?(\/|$)/;
const ID = /^\d{17,20}$/;

/** Milliseconds to wait after a 429: the body's `retry_after` (seconds, may be fractional), else the header. */
export function retryAfterMs(headers: Headers, body: unknown): number | undefined {
  const fromBody = (body as { retry_after?: unknown } | undefined)?.retry_after;
  const seconds =
    typeof fromBody === 'number' ? fromBody : Number.parseFloat(headers.get('retry-after') ?? 'NaN');
  return Number.isFinite(seconds) && seconds >= 0 ? Math.ceil(seconds * 1000) : undefined;
}

export class DiscordApi {
  private readonly baseUrl: string;
  private readonly requestTimeoutMs: number;
  private readonly maxAttempts: number;
  private readonly maxRetryWaitMs: number;
  private readonly fetchFn: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: DiscordApiOptions) {
    const base = options.baseUrl.replace(/\/+$/, '');
    if (!base.startsWith('https://') && !LOOPBACK.test(base)) {
      throw new Error('The Discord API base URL must be https:// (http:// only for localhost)');
    }
    this.baseUrl = base;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 5_000;
    this.maxAttempts = options.maxAttempts ?? 3;
    this.maxRetryWaitMs = options.maxRetryWaitMs ?? 10_000;
    this.fetchFn = options.fetch ?? globalThis.fetch;
    this.sleep = options.sleep ?? DEFAULT_SLEEP;
  }

  /** `PATCH /webhooks/{application}/{token}/messages/@original`: replaces the deferred "thinking…" response. */
  async editOriginal(applicationId: string, token: string, message: Partial<OutgoingMessage>): Promise<void> {
    await this.call('PATCH', `${webhookPath(applicationId, token)}/messages/@original`, message);
  }

  /** `POST /webhooks/{application}/{token}`: one more message under the interaction. */
  async followUp(applicationId: string, token: string, message: OutgoingMessage): Promise<void> {
    await this.call('POST', webhookPath(applicationId, token), message);
  }

  /**
   * `PUT /applications/{application}/commands` (or `/guilds/{guild}/commands`): replaces the registered set.
   * @param botToken the bot token (`Authorization: Bot …`)
   */
  async putCommands(
    applicationId: string,
    botToken: string,
    commands: readonly unknown[],
    guildId?: string,
  ): Promise<RegisteredCommand[]> {
    const path = `/applications/${checkedId(applicationId)}${guildId ? `/guilds/${checkedId(guildId)}` : ''}/commands`;
    const json = await this.call('PUT', path, commands, { Authorization: `Bot ${botToken}` });
    if (!Array.isArray(json)) throw new DiscordApiError(200, undefined, 'the answer is not a command list');
    return json.map((c: { id?: unknown; name?: unknown; type?: unknown }) => ({
      id: String(c.id),
      name: String(c.name),
      type: Number(c.type),
    }));
  }

  private async call(
    method: 'PATCH' | 'POST' | 'PUT',
    path: string,
    body: unknown,
    headers: Record<string, string> = {},
  ): Promise<unknown> {
    // A 429 is never processed, so any call can wait and repeat it; timeouts and 5xx only PATCH and PUT.
    const idempotent = method !== 'POST';
    for (let attempt = 1; ; attempt++) {
      let response: Response;
      let text: string;
      try {
        response = await this.fetchFn(`${this.baseUrl}${path}`, {
          method,
          headers: {
            'Content-Type': 'application/json',
            'User-Agent': USER_AGENT,
            ...headers,
          },
          body: JSON.stringify(body),
          redirect: 'manual',
          signal: AbortSignal.timeout(this.requestTimeoutMs),
        });
        text = await response.text();
      } catch (error) {
        // A POST that timed out may have been posted: sending it again could post twice.
        if (idempotent && attempt < this.maxAttempts) continue;
        throw new DiscordApiError(0, undefined, undefined, { cause: sanitized(error) });
      }
      const json = parseJson(text);
      if (response.ok) return json;
      const code = (json as { code?: unknown } | undefined)?.code;
      const error = new DiscordApiError(
        response.status,
        typeof code === 'number' ? code : undefined,
        response.status === 400 ? (json as { errors?: unknown } | undefined)?.errors : undefined,
      );
      if (attempt >= this.maxAttempts) throw error;
      if (response.status === 429) {
        const wait = retryAfterMs(response.headers, json) ?? 1_000;
        if (wait > this.maxRetryWaitMs) throw error;
        await this.sleep(wait);
        continue;
      }
      if (response.status >= 500 && idempotent) {
        await this.sleep(500 * attempt);
        continue;
      }
      throw error;
    }
  }
}

function webhookPath(applicationId: string, token: string): string {
  return `/webhooks/${checkedId(applicationId)}/${encodeURIComponent(token)}`;
}

function checkedId(id: string): string {
  if (!ID.test(id)) throw new Error('A Discord id must be 17-20 digits');
  return id;
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A transport error without its message (undici messages can quote the URL, which holds the token). */
function sanitized(error: unknown): Error {
  const name = (error as { name?: unknown } | undefined)?.name;
  return new Error(typeof name === 'string' ? name : 'fetch failed');
}
