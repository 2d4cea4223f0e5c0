import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { ACCESS_DENIED_ERROR_NAMES, NOT_FOUND_ERROR_NAMES } from '../../contracts/aws-errors';
import { DependencyFailed, DependencyUnavailable } from '../kit/errors';

/** Where the GitLab client gets its token, at call time (never at cold start, never from the environment). */
export interface TokenSource {
  getToken(): Promise<string>;
}

/** A token GitLab accepts in a header: printable ASCII without spaces (glpat-…, or older 20-char tokens). */
const TOKEN = /^[\x21-\x7e]{8,1024}$/;

const NOT_CONFIGURED =
  'The GitLab token is not configured. Tell the user that an operator must store a GitLab access token in the secret named by tools.codeReview.tokenSecretName.';
const MALFORMED =
  'The GitLab token secret has an unexpected format. Tell the user that an operator must store the token as plain text or as JSON {"token": "..."}.';

/**
 * Reads the token from a secret value: the plain token, or JSON `{"token": "..."}`. Error messages and causes
 * never contain the value (a JSON `SyntaxError` would quote it, so none is attached).
 *
 * @throws DependencyFailed when the value is empty or malformed
 */
export function parseTokenSecret(value: string | Uint8Array | undefined): string {
  const text = (typeof value === 'string' ? value : value ? new TextDecoder().decode(value) : '').trim();
  if (text === '') throw new DependencyFailed(NOT_CONFIGURED);
  let token: unknown = text;
  if (text.startsWith('{')) {
    try {
      token = (JSON.parse(text) as { token?: unknown }).token;
    } catch {
      throw new DependencyFailed(MALFORMED);
    }
    if (token === undefined || token === '') throw new DependencyFailed(NOT_CONFIGURED);
  }
  if (typeof token !== 'string' || !TOKEN.test(token.trim())) throw new DependencyFailed(MALFORMED);
  return token.trim();
}

/** Secrets Manager's own words for a secret this function may not read (besides access denied). */
const SECRET_DENIED: ReadonlySet<string> = new Set(['DecryptionFailure', 'InvalidRequestException']);

/** The SDK error behind a Powertools `GetParameterError`, reduced to its name (no message: it can quote ARNs). */
function sdkErrorName(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause;
  const inner = typeof cause === 'object' && cause !== null ? cause : error;
  return String((inner as { name?: unknown }).name ?? 'Error');
}

export type FetchSecret = (name: string, options: { maxAge: number }) => Promise<unknown>;

export interface SecretsManagerTokenSourceOptions {
  /** Seconds a read value is reused: a rotated token is picked up within this time. @default 300 */
  readonly maxAgeSeconds?: number;
  /** @default Powertools `getSecret` (cached, its Secrets Manager client built once per cold start) */
  readonly fetchSecret?: FetchSecret;
}

/** The token from Secrets Manager through Powertools `getSecret` with a cache (`maxAge`). */
export class SecretsManagerTokenSource implements TokenSource {
  private readonly maxAge: number;
  private readonly fetchSecret: FetchSecret;

  /** @param secretArn the secret's ARN (the environment carries the ARN, never the value) */
  constructor(
    private readonly secretArn: string,
    options: SecretsManagerTokenSourceOptions = {},
  ) {
    this.maxAge = options.maxAgeSeconds ?? 300;
    this.fetchSecret = options.fetchSecret ?? ((name, opts) => getSecret(name, opts));
  }

  async getToken(): Promise<string> {
    let value: unknown;
    try {
      value = await this.fetchSecret(this.secretArn, { maxAge: this.maxAge });
    } catch (error) {
      const name = sdkErrorName(error);
      const cause = new Error(`GetSecretValue failed: ${name}`);
      if (NOT_FOUND_ERROR_NAMES.has(name)) throw new DependencyFailed(NOT_CONFIGURED, { cause });
      if (ACCESS_DENIED_ERROR_NAMES.has(name) || SECRET_DENIED.has(name)) {
        throw new DependencyFailed(
          'KASS cannot read the GitLab token secret. Tell the user that an operator must check the secret and the function permissions.',
          { cause },
        );
      }
      throw new DependencyUnavailable('The secret store is unavailable right now. Try again later.', {
        cause,
      });
    }
    return parseTokenSecret(typeof value === 'string' || value instanceof Uint8Array ? value : undefined);
  }
}
