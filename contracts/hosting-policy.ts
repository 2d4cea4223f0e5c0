/**
 * The page's security headers, in one place for the CloudFront response headers policy
 * (`infra/constructs/web-hosting.ts`) and the local server of `kass web`, so the page is tested under the
 * policy it is deployed with. Pure: no Node or DOM APIs.
 */

/**
 * The Content-Security-Policy: scripts, styles and fonts only from the page itself (Vite emits no inline
 * code), network connections only to the page (config.json), the chat APIs and the sign-in service, no
 * framing, no plugins, no form posts elsewhere.
 *
 * @param connectOrigins e.g. `https://<id>.execute-api.<region>.amazonaws.com`, `wss://<id>.execute-…`,
 *   `https://<prefix>.auth.<region>.amazoncognito.com` (the PKCE token exchange)
 */
export function contentSecurityPolicy(connectOrigins: readonly string[]): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self' ${connectOrigins.join(' ')}`.trimEnd(),
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "object-src 'none'",
    "manifest-src 'self'",
  ].join('; ');
}

/** Headers besides the CSP, as the local server sends them (CloudFront sets the same through its policy). */
export const STATIC_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'strict-origin-when-cross-origin',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=()',
};

/** `https://host` of a URL (`wss://host/stage` → `wss://host`); tokens and odd values pass through unchanged. */
export function originOf(url: string): string {
  const match = /^([a-z][a-z0-9+.-]*:\/\/[^/?#]+)/i.exec(url);
  return match?.[1] ?? url;
}
