import { execFile } from 'node:child_process';
import { createHash, createPrivateKey, createPublicKey, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { kassBuildOptions, kB, REPO_ROOT } from './bundles';

/**
 * The Discord interactions function against Discord's 3 s deadline, with the agent unreachable (nothing
 * listens where its endpoint points) and EventBridge served by a local PutEvents stand-in:
 *   - warm: per-request latency of a signed PING (verify + answer: the baseline) beside a signed /ask
 *     (verify + one PutEvents + the deferred answer), interleaved, medians and p99, and their ratio;
 *   - bus down: a signed /ask while EventBridge never answers (the function gives up and apologises);
 *   - cold: a fresh `node` that loads the bundle and answers its first /ask (module load + first
 *     invocation, which builds the key and the client), beside the same for the WebSocket `sendMessage`
 *     bundle's module load (the other fast ingress).
 * Measures only; asserts nothing. `npm run bench -- discord`   BENCH_SAMPLES=300 BENCH_COLD_RUNS=9
 */

const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 300);
const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS ?? 9);
const exec = promisify(execFile);

const APP = '1178412345678901234';
const GUILD = '1098765432109876543';
const seed = createHash('sha256').update('bench').digest();
const privateKey = createPrivateKey({
  key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]),
  format: 'der',
  type: 'pkcs8',
});
const publicKeyHex = Buffer.from(
  createPublicKey(privateKey).export({ format: 'jwk' }).x ?? '',
  'base64url',
).toString('hex');
const fixture = (name: string) =>
  JSON.parse(readFileSync(path.join(REPO_ROOT, 'tests/events/discord', `${name}.json`), 'utf8')) as Record<
    string,
    unknown
  >;

/** A REST proxy event signed now. */
function signed(body: unknown) {
  const raw = Buffer.from(JSON.stringify(body));
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = sign(null, Buffer.concat([Buffer.from(timestamp), raw]), privateKey).toString('hex');
  return {
    headers: {
      'x-signature-ed25519': signature,
      'x-signature-timestamp': timestamp,
      'content-type': 'application/json',
    },
    body: raw.toString('utf8'),
    isBase64Encoded: false,
  };
}

const ENV = {
  DISCORD_PUBLIC_KEY: publicKeyHex,
  DISCORD_APPLICATION_ID: APP,
  DISCORD_GUILD_IDS: GUILD,
  MAX_MESSAGE_CHARS: '4000',
  EVENT_BUS_NAME: 'kass-bench-discord',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIDBENCH',
  AWS_SECRET_ACCESS_KEY: 'bench-secret',
  AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME: 'http://127.0.0.1:9',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  POWERTOOLS_TRACE_ENABLED: 'false',
  POWERTOOLS_SERVICE_NAME: 'kass-bench',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

const quantile = (values: readonly number[], q: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
};
const ms = (v: number) => `${v.toFixed(2)} ms`;

/** Loads the bundle in a fresh node, answers one signed /ask; prints [load ms, first answer ms, response type]. */
const COLD_SCRIPT = `
const t0 = process.hrtime.bigint();
const { handler } = require(process.argv[2]);
const t1 = process.hrtime.bigint();
handler(JSON.parse(process.argv[3])).then((r) => {
  const t2 = process.hrtime.bigint();
  console.log(JSON.stringify([Number(t1 - t0) / 1e6, Number(t2 - t1) / 1e6, JSON.parse(r.body).type]));
});
`;

export async function run(): Promise<void> {
  const { startEventBridgeServer } = await import('../tests/support/eventbridge-server');
  const bus = await startEventBridgeServer();
  Object.assign(process.env, ENV, bus.env());
  // The apologies of the bus-down runs are ERROR lines; the bench prints its own results only.
  delete process.env.AWS_LAMBDA_LOG_LEVEL;
  const { createInteractionsHandler, ingressDepsFromEnv } = await import(
    '../functions/discord/interactions-handler'
  );
  const handler = createInteractionsHandler(ingressDepsFromEnv());
  const ask = fixture('slash-ask');
  const ping = fixture('ping');
  const outDir = mkdtempSync(path.join(tmpdir(), 'kass-discord-bench-'));
  try {
    // Warm: interleaved, after a warm-up.
    for (let i = 0; i < 50; i++) await handler(signed(i % 2 ? ask : ping));
    const pingTimes: number[] = [];
    const askTimes: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      for (const [body, times] of i % 2
        ? [[ask, askTimes] as const, [ping, pingTimes] as const]
        : [[ping, pingTimes] as const, [ask, askTimes] as const]) {
        const event = signed(body);
        const start = performance.now();
        const result = await handler(event);
        times.push(performance.now() - start);
        if (result.statusCode !== 200) throw new Error(`unexpected ${result.statusCode}`);
      }
    }
    const pMed = quantile(pingTimes, 0.5);
    const aMed = quantile(askTimes, 0.5);
    console.log(
      `warm, ${SAMPLES} each       median        p99     (agent endpoint unreachable; local PutEvents)`,
    );
    console.log(`PING (baseline)     ${ms(pMed).padStart(10)} ${ms(quantile(pingTimes, 0.99)).padStart(10)}`);
    console.log(
      `/ask → type 5       ${ms(aMed).padStart(10)} ${ms(quantile(askTimes, 0.99)).padStart(10)}   ×${(aMed / pMed).toFixed(1)} PING`,
    );

    bus.mode = 'hang';
    const downTimes: number[] = [];
    for (let i = 0; i < 3; i++) {
      const start = performance.now();
      const result = await handler(signed(ask));
      downTimes.push(performance.now() - start);
      if (JSON.parse(result.body).type !== 4) throw new Error('expected the apology');
    }
    bus.mode = 'ok';
    console.log(
      `/ask, bus down      ${ms(quantile(downTimes, 0.5)).padStart(10)}   (apology, type 4; Discord allows 3000 ms)`,
    );

    // Cold: the bundle as KassFunction builds it, in fresh processes.
    const bundles = {
      discord: path.join(outDir, 'discord', 'index.js'),
      websocket: path.join(outDir, 'ws', 'index.js'),
    };
    await build(kassBuildOptions('functions/discord/interactions-handler.ts', bundles.discord));
    await build(kassBuildOptions('functions/websocket/message-handler.ts', bundles.websocket));
    writeFileSync(path.join(outDir, 'cold.cjs'), COLD_SCRIPT);
    const env = { PATH: process.env.PATH, ...ENV, ...bus.env() };
    const loads: number[] = [];
    const firsts: number[] = [];
    const wsLoads: number[] = [];
    for (let i = 0; i < COLD_RUNS; i++) {
      const { stdout } = await exec(
        process.execPath,
        [path.join(outDir, 'cold.cjs'), bundles.discord, JSON.stringify(signed(ask))],
        { env },
      );
      const [load, first, type] = JSON.parse(stdout.trim().split('\n').at(-1) ?? '[]') as [
        number,
        number,
        number,
      ];
      if (type !== 5) throw new Error(`cold /ask answered type ${type}`);
      loads.push(load);
      firsts.push(first);
      const ws = await exec(
        process.execPath,
        [
          '-e',
          `const t=process.hrtime.bigint(); require(${JSON.stringify(bundles.websocket)}); console.log(Number(process.hrtime.bigint()-t)/1e6)`,
        ],
        { env },
      );
      wsLoads.push(Number(ws.stdout.trim().split('\n').at(-1)));
    }
    const load = quantile(loads, 0.5);
    const wsLoad = quantile(wsLoads, 0.5);
    console.log(`\ncold, ${COLD_RUNS} fresh node processes (median)`);
    console.log(
      `bundle              ${kB(statSync(bundles.discord).size)} (sendMessage ingress: ${kB(statSync(bundles.websocket).size)})`,
    );
    console.log(
      `module load         ${ms(load).padStart(10)}   ×${(load / wsLoad).toFixed(2)} sendMessage ingress (${ms(wsLoad)})`,
    );
    console.log(
      `first /ask answer   ${ms(quantile(firsts, 0.5)).padStart(10)}   (key import, EventBridge client, one PutEvents)`,
    );
  } finally {
    await bus.close();
    rmSync(outDir, { recursive: true, force: true });
  }
}
