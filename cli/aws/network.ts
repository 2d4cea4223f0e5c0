import { type EnvSource, processEnv } from '../../contracts/env';
import { fieldOf as field } from '../../contracts/json';
import { CliError } from '../cli-error';
/**
 * Network failures of the `kass` CLI's AWS calls, explained: which service, which endpoint, what happened, and
 * what to check (region, endpoint override, network path and proxy; credentials only matter once a request
 * reaches AWS). Every SDK client the CLI builds goes through {@link diagnoseNetwork}, which records the endpoint
 * each request went to and tags a failed request's error with it.
 */

/** How a request failed to reach its endpoint. */
export type NetworkFailureKind = 'refused' | 'unresolved' | 'timeout' | 'reset' | 'unreachable' | 'tls';

export interface NetworkFailure {
  readonly kind: NetworkFailureKind;
  /** The system or SDK code that says so (`ECONNREFUSED`, `ENOTFOUND`, `TimeoutError`, `CERT_HAS_EXPIRED`, …). */
  readonly code: string;
  /** The message of the error that carried the code. */
  readonly detail: string;
}

/** The service and endpoint a request went to, as recorded by {@link diagnoseNetwork}. */
export interface RequestTarget {
  /** The SDK's service id: `S3`, `Bedrock Agent Runtime`, `CloudFormation`, … */
  readonly service: string;
  /** `https://host[:port]` */
  readonly endpoint?: string;
}

const CODES: Readonly<Record<string, NetworkFailureKind>> = {
  ECONNREFUSED: 'refused',
  ENOTFOUND: 'unresolved',
  EAI_AGAIN: 'unresolved',
  EAI_FAIL: 'unresolved',
  ETIMEDOUT: 'timeout',
  ESOCKETTIMEDOUT: 'timeout',
  TimeoutError: 'timeout',
  RequestTimeout: 'timeout',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  ECONNABORTED: 'reset',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
  EHOSTDOWN: 'unreachable',
  EPROTO: 'tls',
  CERT_HAS_EXPIRED: 'tls',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'tls',
  SELF_SIGNED_CERT_IN_CHAIN: 'tls',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'tls',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'tls',
  ERR_TLS_CERT_ALTNAME_INVALID: 'tls',
  ERR_SSL_WRONG_VERSION_NUMBER: 'tls',
};

const MESSAGE_CODE = new RegExp(`\\b(${Object.keys(CODES).join('|')})\\b`);

/** The error and its causes, outermost first (at most a few levels: SDK wrappers nest one or two). */
function chain(error: unknown): unknown[] {
  const out: unknown[] = [];
  for (let e: unknown = error; e !== undefined && e !== null && out.length < 6; e = field(e, 'cause'))
    out.push(e);
  return out;
}

/** The part of a wrapped message that says what happened (`… (caused by: connect ECONNREFUSED …)`). */
const innermost = (message: string): string =>
  (/\(caused by: (.*)\)$/.exec(message)?.[1] ?? message).replace(
    /^AWS SDK error wrapper for (\w*Error: )?/,
    '',
  );

/**
 * Whether `error` (or one of its causes) is a failure to reach the endpoint, and which. An error whose own
 * `code` or `name` says so wins over one that only mentions a code in its message (SDK wrappers do).
 */
export function networkFailure(error: unknown): NetworkFailure | undefined {
  const errors = chain(error);
  for (const e of errors) {
    for (const candidate of [field(e, 'code'), field(e, 'name')]) {
      const kind = typeof candidate === 'string' ? CODES[candidate] : undefined;
      if (kind && typeof candidate === 'string')
        return { kind, code: candidate, detail: String(field(e, 'message') ?? '') || candidate };
    }
  }
  for (const e of errors) {
    const message = String(field(e, 'message') ?? '');
    const code = MESSAGE_CODE.exec(message)?.[1];
    const kind = code ? CODES[code] : undefined;
    if (kind && code) return { kind, code, detail: innermost(message) };
    if (/socket hang up|stream has been canceled|session.*(closed|destroyed)/i.test(message))
      return { kind: 'reset', code: 'ECONNRESET', detail: message };
  }
  return undefined;
}

/** `AWS_ENDPOINT_URL_<SERVICE>`: the SDK's service-specific endpoint variable for a service id. */
export const endpointVariable = (service: string): string =>
  `AWS_ENDPOINT_URL_${service.replace(/[\s-]+/g, '_').toUpperCase()}`;

const TARGET = Symbol.for('kass.requestTarget');
const lastEndpoints = new WeakMap<object, string>();

/** The target recorded on an error by {@link diagnoseNetwork}, if any. */
export const targetOf = (error: unknown): RequestTarget | undefined => {
  for (const e of chain(error)) {
    const target =
      typeof e === 'object' && e !== null ? (e as { [TARGET]?: RequestTarget })[TARGET] : undefined;
    if (target) return target;
  }
  return undefined;
};

/** The endpoint the client's last request went to (for messages about a call that never answered). */
export const lastEndpoint = (client: object): string | undefined => lastEndpoints.get(client);

type Handler = (args: unknown) => Promise<unknown>;

interface MiddlewareClient {
  readonly config: { readonly serviceId?: string };
  readonly middlewareStack: {
    add(
      middleware: (next: Handler, context: Record<PropertyKey, unknown>) => Handler,
      options: { step: 'initialize' | 'finalizeRequest'; name: string; priority: 'high' | 'low' },
    ): void;
  };
}

const ENDPOINT = Symbol.for('kass.endpoint');

/**
 * Records, for every request of `client`, the endpoint it is sent to, and tags an error that failed to reach
 * it with the service and endpoint (read back with {@link targetOf}). The tag is put on the error the command
 * finally throws (outside the SDK's retries, which may wrap what the HTTP handler threw). Returns the client.
 */
export function diagnoseNetwork<C extends object>(client: C): C {
  const c = client as unknown as MiddlewareClient;
  const service = c.config.serviceId ?? 'AWS';
  c.middlewareStack.add(
    (next, context) => async (args) => {
      const request = field(args, 'request');
      const hostname = field(request, 'hostname');
      if (typeof hostname === 'string') {
        const port = field(request, 'port');
        const endpoint = `${String(field(request, 'protocol') ?? 'https:')}//${hostname}${port ? `:${String(port)}` : ''}`;
        context[ENDPOINT] = endpoint;
        lastEndpoints.set(client, endpoint);
      }
      return next(args);
    },
    { step: 'finalizeRequest', name: 'kassRecordEndpoint', priority: 'low' },
  );
  c.middlewareStack.add(
    (next, context) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        if (networkFailure(error) && typeof error === 'object' && error !== null && !targetOf(error)) {
          const endpoint = context[ENDPOINT];
          Object.defineProperty(error, TARGET, {
            value: { service, ...(typeof endpoint === 'string' ? { endpoint } : {}) },
          });
        }
        throw error;
      }
    },
    { step: 'initialize', name: 'kassNetworkDiagnosis', priority: 'high' },
  );
  return client;
}

const WHAT: Readonly<Record<NetworkFailureKind, string>> = {
  refused: 'the connection was refused (nothing listens there)',
  unresolved: 'the host name does not resolve',
  timeout: 'no answer in time',
  reset: 'the connection was closed before an answer',
  unreachable: 'the network cannot reach the host',
  tls: 'the TLS handshake failed (the certificate was not accepted)',
};

/**
 * The message for a network failure: service, endpoint, what happened and what to check. Undefined when the
 * error is not a network failure. `fallback` names the service when the error carries no recorded target.
 */
export function explainNetworkFailure(
  error: unknown,
  fallback?: RequestTarget,
  env: EnvSource = processEnv(),
  options: { readonly timeoutFlag?: string } = {},
): string | undefined {
  const failure = networkFailure(error);
  if (!failure) return undefined;
  const target = { ...fallback, ...targetOf(error) };
  const service = target.service ?? 'AWS';
  const where = target.endpoint ? ` at ${target.endpoint}` : '';
  const variable = endpointVariable(service);
  const override = env[variable] ? variable : env.AWS_ENDPOINT_URL ? 'AWS_ENDPOINT_URL' : undefined;
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  const checks = [
    override
      ? `the endpoint override ${override}=${env[override]} (is that server running and reachable?)`
      : `the region (${region ? `AWS_REGION=${region}` : 'from your profile'}${env.AWS_PROFILE ? `, AWS_PROFILE=${env.AWS_PROFILE}` : ''}; a mistyped region names a host that does not exist); no endpoint override is set (${variable} / AWS_ENDPOINT_URL)`,
    'your network path: VPN, firewall or corporate proxy (the AWS SDK connects directly and does not read HTTPS_PROXY)',
    ...(failure.kind === 'tls'
      ? [
          'a proxy that intercepts TLS: point NODE_EXTRA_CA_CERTS at its CA certificate; an https:// override must name a TLS server',
        ]
      : []),
    ...(failure.kind === 'timeout'
      ? [`a slow endpoint: allow more time${options.timeoutFlag ? ` with ${options.timeoutFlag}` : ''}`]
      : []),
    ...(['refused', 'unresolved', 'unreachable', 'tls'].includes(failure.kind)
      ? [
          'not your credentials: no request reached AWS (kass doctor checks credentials, region and endpoints)',
        ]
      : ['then your credentials and region with kass doctor']),
  ];
  return [
    `Could not reach ${service}${where}: ${WHAT[failure.kind]} (${failure.code}: ${failure.detail}).`,
    'Check:',
    ...checks.map((c) => `  - ${c}`),
  ].join('\n');
}

/**
 * The HTTP settings of every SDK client the CLI builds: a connection attempt and a silent socket fail with a
 * TimeoutError (the handler only warns about a slow request unless told to throw).
 */
export function requestHandlerOptions(timeoutMs: number): {
  connectionTimeout: number;
  requestTimeout: number;
  throwOnRequestTimeout: true;
} {
  return {
    connectionTimeout: Math.min(timeoutMs, 10_000),
    requestTimeout: timeoutMs,
    throwOnRequestTimeout: true,
  };
}

/** Seconds from a `--timeout` flag (whole or decimal, above 0 and at most an hour); anything else is a usage error. */
export function parseTimeoutSeconds(raw: string | undefined, fallbackSeconds: number): number {
  if (raw === undefined) return fallbackSeconds;
  const seconds = Number(raw);
  if (Number.isFinite(seconds) && seconds > 0 && seconds <= 3600) return seconds;
  throw new CliError(`--timeout must be a number of seconds above 0 and at most 3600 (got ${raw})`, 2);
}

/** Seconds a CLI request may stay silent before it fails, unless a command's `--timeout` says otherwise. */
export const DEFAULT_REQUEST_TIMEOUT_SECONDS = 60;

/** Client options for an SDK client of the CLI: standard configuration plus the request timeouts above. */
export const cliClientConfig = (timeoutSeconds = DEFAULT_REQUEST_TIMEOUT_SECONDS) => ({
  requestHandler: requestHandlerOptions(Math.round(timeoutSeconds * 1000)),
});
