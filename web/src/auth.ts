import type { AuthConfig } from './config';

/**
 * Who the page is. API-key mode (dev): a key the user types in, kept in this tab's sessionStorage (or, if
 * asked, this browser's localStorage), never in the built files. Cognito mode: the hosted UI with the
 * authorization-code flow and PKCE (a public client, no secret); the tokens stay in this tab's sessionStorage.
 */
export type Credentials =
  | { readonly kind: 'api-key'; readonly apiKey: string; readonly userId?: string }
  | { readonly kind: 'cognito'; readonly idToken: string; readonly expiresAtMs: number };

const KEY = 'kass.apiKey';
const USER = 'kass.userId';
const TOKENS = 'kass.tokens';
const PKCE = 'kass.pkce';

interface StoredTokens {
  readonly idToken: string;
  readonly refreshToken?: string;
  readonly expiresAtMs: number;
}

export class SignInFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SignInFailed';
  }
}

const base64url = (bytes: Uint8Array): string =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

const randomString = (bytes = 32): string => base64url(crypto.getRandomValues(new Uint8Array(bytes)));

/** RFC 7636 S256: BASE64URL(SHA-256(verifier)). */
export async function codeChallenge(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

/** `exp` of a JWT in ms (the signature is the server's to check). */
export function jwtExpiryMs(token: string): number {
  try {
    const payload = token.split('.')[1] ?? '';
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const exp = (JSON.parse(json) as { exp?: unknown }).exp;
    return typeof exp === 'number' ? exp * 1000 : 0;
  } catch {
    return 0;
  }
}

/** The redirect URI registered as the app client's callback and sign-out URL: the page's origin. */
export const redirectUri = (): string => `${location.origin}/`;

export class Auth {
  constructor(private readonly config: AuthConfig) {}

  get mode(): AuthConfig['mode'] {
    return this.config.mode;
  }

  /** Current credentials, refreshing an expiring Cognito token first; undefined when signed out. */
  async credentials(): Promise<Credentials | undefined> {
    if (this.config.mode === 'api-key') {
      const apiKey = sessionStorage.getItem(KEY) ?? localStorage.getItem(KEY);
      if (!apiKey) return undefined;
      const userId = sessionStorage.getItem(USER) ?? localStorage.getItem(USER) ?? undefined;
      return { kind: 'api-key', apiKey, ...(userId ? { userId } : {}) };
    }
    const stored = this.tokens();
    if (!stored) return undefined;
    if (stored.expiresAtMs - Date.now() > 60_000) {
      return { kind: 'cognito', idToken: stored.idToken, expiresAtMs: stored.expiresAtMs };
    }
    if (!stored.refreshToken) return undefined;
    try {
      const fresh = await this.tokenRequest({
        grant_type: 'refresh_token',
        refresh_token: stored.refreshToken,
      });
      return { kind: 'cognito', idToken: fresh.idToken, expiresAtMs: fresh.expiresAtMs };
    } catch {
      sessionStorage.removeItem(TOKENS);
      return undefined;
    }
  }

  /** API-key mode: keep the key for this tab, or in this browser when `remember`. */
  saveApiKey(apiKey: string, userId: string | undefined, remember: boolean): void {
    this.forget();
    const store = remember ? localStorage : sessionStorage;
    store.setItem(KEY, apiKey);
    if (userId) store.setItem(USER, userId);
  }

  /** Cognito: to the hosted UI (the page comes back to `returnTo` after the code exchange). */
  async beginSignIn(returnTo: string): Promise<void> {
    const { domain, clientId } = this.hostedUi();
    const verifier = randomString(48);
    const state = randomString(16);
    sessionStorage.setItem(PKCE, JSON.stringify({ verifier, state, returnTo }));
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: redirectUri(),
      scope: 'openid email profile',
      state,
      code_challenge: await codeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    location.assign(`${domain}/oauth2/authorize?${query}`);
  }

  /**
   * Finishes a hosted-UI round trip when the URL carries `code` and `state`: checks the state, exchanges the
   * code with the PKCE verifier and returns the path to go back to. Undefined when the URL is not a callback.
   */
  async completeSignIn(url: URL): Promise<string | undefined> {
    const error = url.searchParams.get('error');
    const code = url.searchParams.get('code');
    if (!code && !error) return undefined;
    const pending = sessionStorage.getItem(PKCE);
    sessionStorage.removeItem(PKCE);
    if (error) {
      throw new SignInFailed(`Sign-in was refused (${url.searchParams.get('error_description') ?? error}).`);
    }
    const saved = pending
      ? (JSON.parse(pending) as { verifier: string; state: string; returnTo: string })
      : undefined;
    if (!saved || saved.state !== url.searchParams.get('state')) {
      throw new SignInFailed('This sign-in link is stale or was not started here; sign in again.');
    }
    await this.tokenRequest({
      grant_type: 'authorization_code',
      code: code ?? '',
      redirect_uri: redirectUri(),
      code_verifier: saved.verifier,
    });
    return saved.returnTo || '/';
  }

  /** Forgets the credentials; Cognito also ends the hosted-UI session. */
  signOut(): void {
    this.forget();
    if (this.config.mode === 'cognito' && this.config.domain && this.config.clientId) {
      const query = new URLSearchParams({ client_id: this.config.clientId, logout_uri: redirectUri() });
      location.assign(`${this.config.domain}/logout?${query}`);
    }
  }

  /** Drops credentials the server refused (an expired or revoked key or token). */
  forget(): void {
    for (const store of [sessionStorage, localStorage]) {
      store.removeItem(KEY);
      store.removeItem(USER);
    }
    sessionStorage.removeItem(TOKENS);
  }

  private hostedUi(): { domain: string; clientId: string } {
    if (this.config.mode !== 'cognito' || !this.config.domain || !this.config.clientId) {
      throw new SignInFailed(
        'This stage has no web sign-in: add the page’s origin to chatApi.allowedOrigins (or enable web) and redeploy.',
      );
    }
    return { domain: this.config.domain, clientId: this.config.clientId };
  }

  private tokens(): StoredTokens | undefined {
    const raw = sessionStorage.getItem(TOKENS);
    if (!raw) return undefined;
    try {
      return JSON.parse(raw) as StoredTokens;
    } catch {
      return undefined;
    }
  }

  private async tokenRequest(params: Record<string, string>): Promise<StoredTokens> {
    const { domain, clientId } = this.hostedUi();
    let response: Response;
    try {
      response = await fetch(`${domain}/oauth2/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ ...params, client_id: clientId }),
      });
    } catch {
      throw new SignInFailed(`Cannot reach the sign-in service at ${domain}; check your connection.`);
    }
    const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    const idToken = body.id_token;
    if (!response.ok || typeof idToken !== 'string') {
      throw new SignInFailed(`Sign-in failed (${String(body.error ?? response.status)}); sign in again.`);
    }
    const previous = this.tokens();
    const refreshToken = typeof body.refresh_token === 'string' ? body.refresh_token : previous?.refreshToken;
    const tokens: StoredTokens = {
      idToken,
      ...(refreshToken ? { refreshToken } : {}),
      expiresAtMs: jwtExpiryMs(idToken) || Date.now() + Number(body.expires_in ?? 3600) * 1000,
    };
    sessionStorage.setItem(TOKENS, JSON.stringify(tokens));
    return tokens;
  }
}
