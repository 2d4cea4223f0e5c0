import { isRecord } from '../event';

/**
 * The caller's identity on the AgentCore engine. On Classic the chat API hands the agent the verified session
 * attributes (`userId`, `app`, `roles`, `conversationId`, `channel`) and Bedrock passes them to every tool. A gateway
 * Lambda target gets only the model's arguments, which must never carry identity. So the chat API signs the same
 * attribute map once per turn (an HMAC made by KMS, whose key only the chat functions may use to sign and only the
 * tools may use to verify) and sends it as a W3C `baggage` member; the gateway targets allow-list the `baggage`
 * header, and the tool adapter turns a valid assertion back into the session-attribute map. Anything else — no
 * header, no member, a bad MAC, an expired or malformed assertion — gives no identity at all, so a tool that needs
 * one refuses exactly as it does on Classic without `userId`.
 *
 * Token: `<payload>.<mac>`, both base64url; the payload is `{"v":1,"a":{…attributes},"iat":<ms>,"exp":<ms>}` and the
 * MAC is HMAC-SHA-256 over the payload's ASCII bytes.
 */

/** The baggage member that carries the assertion. */
export const IDENTITY_BAGGAGE_KEY = 'kass-identity';

/** The gateway-target header that carries it (allow-listed in each target's `metadataConfiguration`). */
export const IDENTITY_HEADER = 'baggage';

/** How long an assertion is accepted: the longest turn (a WebSocket worker runs at most 15 minutes) plus skew. */
export const IDENTITY_TTL_MS = 16 * 60 * 1000;

/** Clock skew tolerated on `iat`. */
const SKEW_MS = 60 * 1000;

/**
 * Longest token. A directly invoked tool gets it inside the Lambda ClientContext, which holds at most 3583 bytes
 * of base64, i.e. about 2680 bytes of JSON with the tool name around it.
 */
export const MAX_IDENTITY_TOKEN_CHARS = 2000;

/** At most this many attributes, each value at most this long (the chat API sets five short ones). */
const MAX_ATTRIBUTES = 16;
const MAX_VALUE_CHARS = 512;
const ATTRIBUTE_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/** Signs with the identity key (KMS GenerateMac in the chat functions). */
export interface IdentitySigner {
  sign(message: Uint8Array): Promise<Uint8Array>;
}

/** Verifies with the identity key (KMS VerifyMac in the tools). Resolves false (never throws) on a bad MAC. */
export interface IdentityVerifier {
  verify(message: Uint8Array, mac: Uint8Array): Promise<boolean>;
}

const base64url = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** Keeps the attributes an assertion may carry; throws on anything the chat API should never produce. */
function checkedAttributes(attributes: Readonly<Record<string, string>>): Record<string, string> {
  const entries = Object.entries(attributes);
  if (entries.length > MAX_ATTRIBUTES)
    throw new Error(`an identity assertion carries at most ${MAX_ATTRIBUTES} attributes`);
  for (const [name, value] of entries) {
    if (!ATTRIBUTE_NAME.test(name) || typeof value !== 'string' || value.length > MAX_VALUE_CHARS) {
      throw new Error(
        `identity attribute ${JSON.stringify(name.slice(0, 64))} is not a short string attribute`,
      );
    }
  }
  return Object.fromEntries(entries);
}

/** Signs the turn's session attributes: the token to put in `baggage`. */
export async function mintIdentity(
  signer: IdentitySigner,
  attributes: Readonly<Record<string, string>>,
  nowMs: number = Date.now(),
  ttlMs: number = IDENTITY_TTL_MS,
): Promise<string> {
  const payload = base64url(
    Buffer.from(
      JSON.stringify({ v: 1, a: checkedAttributes(attributes), iat: nowMs, exp: nowMs + ttlMs }),
      'utf8',
    ),
  );
  const mac = await signer.sign(Buffer.from(payload, 'ascii'));
  const token = `${payload}.${base64url(mac)}`;
  if (token.length > MAX_IDENTITY_TOKEN_CHARS) {
    throw new Error(
      `the identity assertion is ${token.length} characters; at most ${MAX_IDENTITY_TOKEN_CHARS} fit`,
    );
  }
  return token;
}

/** The session attributes of a payload that is well formed and current, else undefined. */
function readPayload(payload: string, nowMs: number): Record<string, string> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!isRecord(parsed) || parsed.v !== 1 || !isRecord(parsed.a)) return undefined;
  const { iat, exp } = parsed;
  if (typeof iat !== 'number' || typeof exp !== 'number' || iat > nowMs + SKEW_MS || exp <= nowMs)
    return undefined;
  if (exp - iat > IDENTITY_TTL_MS) return undefined;
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(parsed.a)) {
    if (!ATTRIBUTE_NAME.test(name) || typeof value !== 'string' || value.length > MAX_VALUE_CHARS)
      return undefined;
    out[name] = value;
  }
  return Object.keys(out).length > MAX_ATTRIBUTES ? undefined : out;
}

/**
 * The session attributes a token vouches for, or undefined: a malformed token, a MAC that does not verify, an
 * expired or future assertion, or a verifier that fails all give no identity. Never throws.
 */
export async function verifyIdentity(
  verifier: IdentityVerifier,
  token: string,
  nowMs: number = Date.now(),
): Promise<Record<string, string> | undefined> {
  if (token.length > MAX_IDENTITY_TOKEN_CHARS) return undefined;
  const dot = token.indexOf('.');
  if (dot <= 0 || dot !== token.lastIndexOf('.')) return undefined;
  const payload = token.slice(0, dot);
  const mac = token.slice(dot + 1);
  if (!BASE64URL.test(payload) || !BASE64URL.test(mac)) return undefined;
  // Cheap checks first: an expired or malformed assertion costs no KMS call.
  const attributes = readPayload(payload, nowMs);
  if (!attributes) return undefined;
  try {
    const ok = await verifier.verify(Buffer.from(payload, 'ascii'), Buffer.from(mac, 'base64url'));
    return ok === true ? attributes : undefined;
  } catch {
    return undefined;
  }
}

/** The `baggage` header value that carries a token (W3C baggage: `key=value`, base64url needs no escaping). */
export const identityBaggage = (token: string): string => `${IDENTITY_BAGGAGE_KEY}=${token}`;

/** The token in a `baggage` header value (other members and properties ignored), or undefined. */
export function tokenFromBaggage(baggage: string): string | undefined {
  for (const member of baggage.split(',')) {
    const [pair] = member.split(';');
    const eq = pair?.indexOf('=') ?? -1;
    if (!pair || eq < 0) continue;
    if (pair.slice(0, eq).trim() !== IDENTITY_BAGGAGE_KEY) continue;
    const raw = pair.slice(eq + 1).trim();
    try {
      return decodeURIComponent(raw);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * The propagated headers of a gateway call, names lower-cased: `bedrockAgentCorePropagatedHeaders` may arrive as
 * an object or as its JSON text. Non-string values are dropped.
 */
export function propagatedHeaders(custom: Record<string, unknown>): Record<string, string> {
  let value: unknown = custom.bedrockAgentCorePropagatedHeaders;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return {};
    }
  }
  if (!isRecord(value)) return {};
  const out: Record<string, string> = {};
  for (const [name, v] of Object.entries(value)) if (typeof v === 'string') out[name.toLowerCase()] = v;
  return out;
}

/** The identity token a gateway call carries, if any. */
export function identityTokenOf(custom: Record<string, unknown>): string | undefined {
  const baggage = propagatedHeaders(custom)[IDENTITY_HEADER];
  return baggage === undefined ? undefined : tokenFromBaggage(baggage);
}
