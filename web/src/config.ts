/**
 * The page's run-time configuration, `/config.json`: written at deploy by the hosting construct (or served by
 * `kass web`), never built into the bundle, so one build serves every stage.
 */
export type AuthConfig =
  | { readonly mode: 'api-key' }
  | {
      readonly mode: 'cognito';
      /** `https://<prefix>.auth.<region>.amazoncognito.com` (hosted UI); absent when the stage has no web client. */
      readonly domain?: string;
      readonly clientId?: string;
    };

export interface RuntimeConfig {
  /** REST base URL, ending with `/` (`https://<id>.execute-api.<region>.amazonaws.com/<stage>/`). */
  readonly apiUrl: string;
  /** `wss://<id>.execute-api.<region>.amazonaws.com/<stage>` */
  readonly websocketUrl: string;
  readonly stage?: string;
  readonly maxMessageChars: number;
  readonly auth: AuthConfig;
}

export class ConfigProblem extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigProblem';
  }
}

const rec = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

function url(value: unknown, key: string, schemes: readonly string[]): string {
  if (typeof value !== 'string') throw new ConfigProblem(`config.json: ${key} is missing`);
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigProblem(`config.json: ${key} is not a URL`);
  }
  if (!schemes.includes(parsed.protocol)) {
    throw new ConfigProblem(
      `config.json: ${key} must start with ${schemes.map((s) => `${s}//`).join(' or ')}`,
    );
  }
  return value;
}

export function parseRuntimeConfig(raw: unknown): RuntimeConfig {
  const c = rec(raw);
  if (!c) throw new ConfigProblem('config.json is not a JSON object');
  const apiUrl = url(c.apiUrl, 'apiUrl', ['https:', 'http:']);
  const websocketUrl = url(c.websocketUrl, 'websocketUrl', ['wss:', 'ws:']);
  const auth = rec(c.auth);
  let parsedAuth: AuthConfig;
  if (auth?.mode === 'cognito') {
    const domain =
      typeof auth.domain === 'string' ? url(auth.domain, 'auth.domain', ['https:', 'http:']) : undefined;
    const clientId = typeof auth.clientId === 'string' && auth.clientId ? auth.clientId : undefined;
    parsedAuth = {
      mode: 'cognito',
      ...(domain && clientId ? { domain: domain.replace(/\/+$/, ''), clientId } : {}),
    };
  } else if (auth?.mode === 'api-key') {
    parsedAuth = { mode: 'api-key' };
  } else {
    throw new ConfigProblem('config.json: auth.mode must be "api-key" or "cognito"');
  }
  const max = c.maxMessageChars;
  return {
    apiUrl: apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`,
    websocketUrl,
    ...(typeof c.stage === 'string' ? { stage: c.stage } : {}),
    maxMessageChars: typeof max === 'number' && Number.isInteger(max) && max > 0 ? max : 4000,
    auth: parsedAuth,
  };
}
