import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { type EnvSource, processEnv } from '../../contracts/env';
import { originOf } from '../../contracts/hosting-policy';
import { buildPage, WEB_ROOT } from '../../web/build-page';
import { ConfigProblem, parseRuntimeConfig, type RuntimeConfig } from '../../web/src/config';
import type { CliIo } from '../io';
import { CliError, StackOutputs, stackNameOf } from '../stack-outputs';
import { FakeChatBackend } from '../web/fake-backend';
import { type RunningPageServer, startPageServer } from '../web/page-server';

export const usage = `Usage: kass web [options]

Serves the web chat page on this machine: against a deployed stage (its WebConfig stack output: API URLs and
sign-in), or with --local against a built-in fake backend that streams canned answers with citations and a
tool confirmation, so the page can be seen and developed without AWS.

Options:
  --local             Use the local fake backend (API-key sign-in; the key is printed).
  --stage <name>      Stack kass-<stage> whose WebConfig output the page uses (default: dev).
  --web-config <json> The page configuration itself (default: $KASS_WEB_CONFIG, else the stack output).
  --port <n>          Port to listen on (default: 3000, which the dev stage's chatApi.allowedOrigins allows;
                      0 picks a free port).
  --host <name>       Host name to listen on and open in the browser (default: localhost).
  --api-key <key>     --local: the API key the fake backend accepts (default: local-dev-key-0123456789abcdef).
  --no-build          Serve web/dist as it is instead of building the page first.
  -h, --help          Show this help

Stop with Ctrl-C. Try these messages against --local: anything (a streamed answer with sources), "open a
ticket" (a confirmation), "drop" (the connection drops mid-answer), "error" and "busy" (error frames).
`;

export const DEFAULT_LOCAL_KEY = 'local-dev-key-0123456789abcdef';

export interface WebServeOptions {
  readonly local: boolean;
  readonly stage: string;
  readonly port: number;
  readonly host: string;
  readonly apiKey: string;
  readonly build: boolean;
  /** Where the page is built to and served from. @default web/dist */
  readonly distDir?: string;
  /** --local: pause between streamed chunks. @default 120 */
  readonly chunkDelayMs?: number;
  readonly webConfig?: string;
  readonly env?: EnvSource;
  /** Reads stack outputs (tests pass a fake). */
  readonly outputs?: StackOutputs;
}

export interface ServedWeb {
  readonly server: RunningPageServer;
  readonly backend?: FakeChatBackend;
  /** Warnings worth printing (e.g. the origin is not allowed by the stage's CORS settings). */
  readonly warnings: readonly string[];
}

/** The deployed stage's page configuration (the `WebConfig` output, JSON) and its allowed origins. */
async function deployedConfig(
  options: WebServeOptions,
): Promise<{ raw: Record<string, unknown>; config: RuntimeConfig; allowed?: string[] }> {
  const outputs = options.outputs ?? new StackOutputs(options.stage, options.env ?? processEnv());
  const text = await outputs.resolve({
    flagValue: options.webConfig,
    flagName: '--web-config',
    envVar: 'KASS_WEB_CONFIG',
    output: 'WebConfig',
  });
  let config: RuntimeConfig;
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
    config = parseRuntimeConfig(parsed);
  } catch (error) {
    const why = error instanceof ConfigProblem ? error.message : 'it is not JSON';
    throw new CliError(`The web configuration of ${stackNameOf(options.stage)} is unusable: ${why}.`);
  }
  let allowed: string[] | undefined;
  if (!options.webConfig && !(options.env ?? processEnv()).KASS_WEB_CONFIG) {
    const list = await outputs
      .resolve({
        flagValue: undefined,
        flagName: '--web-config',
        envVar: 'KASS_ALLOWED_ORIGINS',
        output: 'ChatAllowedOrigins',
      })
      .catch(() => undefined);
    allowed = list?.split(',').filter((o) => o && o !== '-');
  }
  // Served as deployed (the page validates it the same way); parsed here to name the CSP's origins.
  return { raw: parsed, config, ...(allowed ? { allowed } : {}) };
}

/** Builds (unless told not to) and serves the page; the caller closes the server. */
export async function serveWeb(options: WebServeOptions): Promise<ServedWeb> {
  const distDir = options.distDir ?? path.join(WEB_ROOT, 'dist');
  if (options.build) buildPage(distDir);
  const warnings: string[] = [];
  if (options.local) {
    const backend = new FakeChatBackend({
      apiKey: options.apiKey,
      ...(options.chunkDelayMs !== undefined ? { chunkDelayMs: options.chunkDelayMs } : {}),
    });
    const server = await startPageServer({
      distDir,
      host: options.host,
      port: options.port,
      backend,
      config: (base) => ({
        apiUrl: `${base}${backend.restPrefix}`,
        websocketUrl: `${base.replace(/^http/, 'ws')}${backend.socketPath}`,
        stage: 'local',
        maxMessageChars: 4000,
        auth: { mode: 'api-key' },
      }),
      connectOrigins: (base) => [base.replace(/^http/, 'ws')],
    });
    return { server, backend, warnings };
  }
  const { raw, config, allowed } = await deployedConfig(options);
  const server = await startPageServer({
    distDir,
    host: options.host,
    port: options.port,
    config: () => raw,
    connectOrigins: () => [
      originOf(config.apiUrl),
      originOf(config.websocketUrl),
      ...(config.auth.mode === 'cognito' && config.auth.domain ? [originOf(config.auth.domain)] : []),
    ],
  });
  const origin = originOf(server.url);
  if (allowed && !allowed.includes(origin)) {
    warnings.push(
      `${origin} is not in the stage's chatApi.allowedOrigins (${allowed.join(', ') || 'none'}): the browser ` +
        `will block the API calls${config.auth.mode === 'cognito' ? ' and Cognito will refuse the sign-in redirect' : ''}. ` +
        `Add it in infra/config and redeploy, or use --port/--host to match an allowed origin.`,
    );
  }
  return { server, warnings };
}

const until = (signals: readonly NodeJS.Signals[]): Promise<void> =>
  new Promise((resolve) => {
    for (const signal of signals) process.once(signal, () => resolve());
  });

/** `kass web` */
export async function run(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      local: { type: 'boolean', default: false },
      stage: { type: 'string', default: 'dev' },
      'web-config': { type: 'string' },
      port: { type: 'string', default: '3000' },
      host: { type: 'string', default: 'localhost' },
      'api-key': { type: 'string', default: DEFAULT_LOCAL_KEY },
      'no-build': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: false,
    strict: true,
  });
  if (values.help) {
    io.stdout.write(usage);
    return 0;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new CliError(`--port must be a port number (0-65535), got ${values.port}`, 2);
  }
  if ((values['api-key'] ?? '').length < 20) {
    throw new CliError('--api-key must be at least 20 characters (as API Gateway keys are)', 2);
  }
  let served: ServedWeb;
  try {
    served = await serveWeb({
      local: values.local === true,
      stage: values.stage ?? 'dev',
      port,
      host: values.host ?? 'localhost',
      apiKey: values['api-key'] ?? DEFAULT_LOCAL_KEY,
      build: values['no-build'] !== true,
      ...(values['web-config'] ? { webConfig: values['web-config'] } : {}),
    });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'EADDRINUSE') throw new CliError(`Port ${port} is in use: pick another with --port.`);
    if (error instanceof Error && error.name !== 'CliError' && /vite build|index\.html/.test(error.message)) {
      throw new CliError(error.message);
    }
    throw error;
  }
  for (const warning of served.warnings) io.stderr.write(`Warning: ${warning}\n`);
  io.stdout.write(
    values.local
      ? `KASS web chat (local fake backend) at ${served.server.url}\nAPI key: ${values['api-key']}\n`
      : `KASS web chat for ${stackNameOf(values.stage ?? 'dev')} at ${served.server.url}\n`,
  );
  io.stdout.write('Press Ctrl-C to stop.\n');
  await until(['SIGINT', 'SIGTERM']);
  await served.server.close();
  return 0;
}
