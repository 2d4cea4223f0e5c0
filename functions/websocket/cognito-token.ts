import { CognitoJwtVerifier } from 'aws-jwt-verify';
import { type Fetcher, SimpleFetcher } from 'aws-jwt-verify/https';
import { type PenaltyBox, SimpleJwksCache } from 'aws-jwt-verify/jwk';

/**
 * Verifies Cognito ID tokens with AWS's own `aws-jwt-verify`: RS256 signature against the user pool's key
 * set, issuer, `token_use: id`, audience (one of the app clients), expiry. What this module adds:
 *
 * - **One key-set fetch a minute at most.** aws-jwt-verify refetches the key set when a token names an
 *   unknown `kid` (key rotation). {@link ThrottledJwksFetcher} answers any fetch within a minute of the last
 *   one with that same key set, so a burst of forged tokens with made-up `kid`s costs no request to Cognito
 *   (and the pool's two issuer formats share one fetch).
 * - **Hydration at cold start** ({@link CognitoTokenVerifier.hydrate}): the first connection does not wait
 *   for the key set.
 * - The fetcher is injectable, so tests serve a key set from a local HTTP server.
 */

export interface CognitoTokenVerifierOptions {
  /** `<region>_<id>` */
  readonly userPoolId: string;
  /** App client ids whose ID tokens are accepted (the token's `aud`). */
  readonly clientIds: readonly string[];
  /** Fetches the key set over the network. @default aws-jwt-verify's HTTPS fetcher */
  readonly fetcher?: Fetcher;
  /** Least time between two key-set fetches. @default 60_000 */
  readonly minRefetchIntervalMs?: number;
  /** Clock of the fetch interval. @default Date.now */
  readonly now?: () => number;
  /** Accepted clock difference for `exp`, in seconds. @default 30 */
  readonly graceSeconds?: number;
}

/** What a verified ID token says about its user. */
export interface VerifiedToken {
  readonly sub: string;
  /** `cognito:groups` (empty when the user is in none). */
  readonly groups: readonly string[];
}

/** The token was rejected; the reason is for logs only (the client gets a plain 401). */
export class InvalidToken extends Error {
  constructor(reason: string, options?: ErrorOptions) {
    super(reason, options);
    this.name = 'InvalidToken';
  }
}

export const DEFAULT_MIN_REFETCH_INTERVAL_MS = 60_000;

/** The pool's key-set URL (regional issuer format); the global issuer format serves the same keys. */
export const jwksUrlOf = (userPoolId: string): string =>
  `${CognitoJwtVerifier.parseUserPoolId(userPoolId).jwksUri}`;

/**
 * A key-set fetcher that goes to the network at most once per interval: within it, every fetch (for either
 * issuer format of the pool) shares the last request's result, whether it is still running, done or failed.
 */
export class ThrottledJwksFetcher implements Fetcher {
  private last: { readonly at: number; readonly body: Promise<ArrayBuffer> } | undefined;
  private count = 0;

  constructor(
    private readonly inner: Fetcher,
    private readonly url: string,
    private readonly minIntervalMs = DEFAULT_MIN_REFETCH_INTERVAL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  fetch(): Promise<ArrayBuffer> {
    const at = this.now();
    if (this.last && at - this.last.at < this.minIntervalMs) return this.last.body;
    this.count++;
    const body = this.inner.fetch(this.url);
    body.catch(() => undefined);
    this.last = { at, body };
    return body;
  }

  /** Network fetches made so far. */
  get fetches(): number {
    return this.count;
  }
}

const NO_PENALTY_BOX: PenaltyBox = {
  wait: async () => undefined,
  registerFailedAttempt: () => undefined,
  registerSuccessfulAttempt: () => undefined,
};

export class CognitoTokenVerifier {
  private readonly verifier;
  readonly fetcher: ThrottledJwksFetcher;

  constructor(options: CognitoTokenVerifierOptions) {
    if (options.clientIds.length === 0) throw new Error('CognitoTokenVerifier: no app client ids');
    this.fetcher = new ThrottledJwksFetcher(
      options.fetcher ?? new SimpleFetcher(),
      jwksUrlOf(options.userPoolId),
      options.minRefetchIntervalMs,
      options.now,
    );
    this.verifier = CognitoJwtVerifier.create(
      {
        userPoolId: options.userPoolId,
        tokenUse: 'id',
        clientId: [...options.clientIds],
        graceSeconds: options.graceSeconds ?? 30,
      },
      // The fetcher is the one rate limit (on this verifier's clock); aws-jwt-verify's own penalty box would
      // add a second, wall-clock one that tests cannot move.
      { jwksCache: new SimpleJwksCache({ fetcher: this.fetcher, penaltyBox: NO_PENALTY_BOX }) },
    );
  }

  /** Loads the key set (call at cold start). Throws when it cannot be fetched; verification retries later. */
  async hydrate(): Promise<void> {
    await this.verifier.hydrate();
  }

  async verify(token: string): Promise<VerifiedToken> {
    let payload: Record<string, unknown>;
    try {
      payload = (await this.verifier.verify(token)) as Record<string, unknown>;
    } catch (error) {
      throw new InvalidToken(error instanceof Error ? error.name : 'invalid token', { cause: error });
    }
    const { sub } = payload;
    if (typeof sub !== 'string' || sub.length === 0) throw new InvalidToken('no subject');
    const groups = payload['cognito:groups'];
    return {
      sub,
      groups: Array.isArray(groups) ? groups.filter((g): g is string => typeof g === 'string') : [],
    };
  }
}
