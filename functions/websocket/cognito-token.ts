import { createPublicKey, type JsonWebKey, verify } from 'node:crypto';

/** A public key of the user pool's JWKS (`https://cognito-idp.<region>.amazonaws.com/<pool>/.well-known/jwks.json`). */
export type Jwk = JsonWebKey & { readonly kid?: string; readonly alg?: string; readonly use?: string };

export interface CognitoTokenVerifierOptions {
  /** `<region>_<id>` */
  readonly userPoolId: string;
  /** App client ids whose ID tokens are accepted (the token's `aud`). */
  readonly clientIds: readonly string[];
  /** Loads the pool's keys. @default fetch of the pool's well-known JWKS URL */
  readonly loadJwks?: () => Promise<readonly Jwk[]>;
  /** @default Date.now */
  readonly now?: () => number;
  /** Accepted clock difference for `exp`/`iat`, in seconds. @default 30 */
  readonly clockSkewSeconds?: number;
}

/** The token was rejected; the reason is for logs only (the client gets a plain 401). */
export class InvalidToken extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'InvalidToken';
  }
}

const decodePart = (part: string): Record<string, unknown> => {
  const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new InvalidToken('malformed token');
  return value as Record<string, unknown>;
};

/** The issuer of a pool's tokens. */
export const issuerOf = (userPoolId: string): string => {
  const region = userPoolId.split('_')[0];
  return `https://cognito-idp.${region}.amazonaws.com/${userPoolId}`;
};

/**
 * Verifies a Cognito **ID token** without extra dependencies: RS256 signature against the pool's JWKS (keys
 * cached; an unknown `kid` refetches once, for key rotation), issuer, `token_use: id`, audience (one of the
 * app clients) and expiry. Returns the `sub`.
 */
export class CognitoTokenVerifier {
  private keys: Map<string, Jwk> | undefined;
  private readonly issuer: string;

  constructor(private readonly options: CognitoTokenVerifierOptions) {
    this.issuer = issuerOf(options.userPoolId);
  }

  async verify(token: string): Promise<{ sub: string }> {
    const parts = token.split('.');
    if (parts.length !== 3) throw new InvalidToken('not a JWT');
    const [rawHeader, rawPayload, rawSignature] = parts as [string, string, string];
    let header: Record<string, unknown>;
    let payload: Record<string, unknown>;
    try {
      header = decodePart(rawHeader);
      payload = decodePart(rawPayload);
    } catch {
      throw new InvalidToken('malformed token');
    }
    if (header.alg !== 'RS256' || typeof header.kid !== 'string')
      throw new InvalidToken('unsupported algorithm');
    const jwk = await this.key(header.kid);
    const signed = verify(
      'RSA-SHA256',
      Buffer.from(`${rawHeader}.${rawPayload}`, 'utf8'),
      createPublicKey({ key: jwk, format: 'jwk' }),
      Buffer.from(rawSignature, 'base64url'),
    );
    if (!signed) throw new InvalidToken('bad signature');

    const nowSeconds = Math.floor((this.options.now ?? Date.now)() / 1000);
    const skew = this.options.clockSkewSeconds ?? 30;
    if (payload.iss !== this.issuer) throw new InvalidToken('wrong issuer');
    if (payload.token_use !== 'id') throw new InvalidToken('not an ID token');
    if (typeof payload.aud !== 'string' || !this.options.clientIds.includes(payload.aud)) {
      throw new InvalidToken('wrong audience');
    }
    if (typeof payload.exp !== 'number' || payload.exp + skew <= nowSeconds)
      throw new InvalidToken('expired');
    if (typeof payload.iat === 'number' && payload.iat - skew > nowSeconds)
      throw new InvalidToken('issued in the future');
    if (typeof payload.sub !== 'string' || payload.sub.length === 0) throw new InvalidToken('no subject');
    return { sub: payload.sub };
  }

  private async key(kid: string): Promise<Jwk> {
    const cached = this.keys?.get(kid);
    if (cached) return cached;
    const loaded = await (this.options.loadJwks ?? (() => fetchJwks(this.issuer)))();
    this.keys = new Map(loaded.filter((k) => typeof k.kid === 'string').map((k) => [k.kid as string, k]));
    const key = this.keys.get(kid);
    if (!key) throw new InvalidToken('unknown signing key');
    return key;
  }
}

async function fetchJwks(issuer: string): Promise<readonly Jwk[]> {
  const response = await fetch(`${issuer}/.well-known/jwks.json`, { signal: AbortSignal.timeout(3000) });
  if (!response.ok) throw new Error(`JWKS request failed with HTTP ${response.status}`);
  const body = (await response.json()) as { keys?: Jwk[] };
  return body.keys ?? [];
}
