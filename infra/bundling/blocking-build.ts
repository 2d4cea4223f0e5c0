import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { BuildOptions, Metafile } from 'esbuild';

/**
 * esbuild's plugins run only in its asynchronous API, and a construct needs its code synchronously. This runs
 * one asynchronous build in a worker thread and blocks until it is done (Atomics.wait on a shared flag): the
 * synth stays synchronous, the build gets its plugins.
 *
 * The worker's plugins (plain JavaScript: a worker thread starts from source text, not TypeScript):
 * - `.yaml` files become a module whose default export is the document as JSON text. Lambda code imports the
 *   OpenAPI schemas as text and parses them at cold start; JSON parses in microseconds where the YAML parser
 *   took tens of milliseconds, and the document is the same (comments aside).
 * - the `yaml` package becomes a stub that throws: with every schema arriving as JSON no Lambda parses YAML,
 *   and leaving the parser out saves 115 kB per bundle.
 * - the X-Ray SDK's patcher for AWS SDK v2 (`captureAWS`, `captureAWSClient`) becomes a stub that throws: KASS
 *   uses SDK v3 (`captureAWSv3Client`), and the v2 patcher alone pulls `semver` in (31 kB parsed and its
 *   regular expressions built at every cold start).
 */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const fs = require('node:fs');
const { build } = require(workerData.esbuild);
const { parse } = require(workerData.yaml);
const flag = new Int32Array(workerData.flag);
const done = (result) => {
  fs.writeFileSync(workerData.resultFile, JSON.stringify(result));
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
};
const schemasAsJson = {
  name: 'kass-yaml-as-json',
  setup(b) {
    b.onLoad({ filter: /\\.ya?ml$/ }, (args) => ({
      contents: 'export default ' + JSON.stringify(JSON.stringify(parse(fs.readFileSync(args.path, 'utf8')))),
      loader: 'js',
    }));
    b.onResolve({ filter: /^yaml$/ }, () => ({ path: 'yaml', namespace: 'kass-no-yaml' }));
    b.onLoad({ filter: /.*/, namespace: 'kass-no-yaml' }, () => ({
      contents:
        'const fail = () => { throw new Error("The YAML parser is not bundled into Lambdas: schemas arrive as JSON."); };' +
        'module.exports = { parse: fail, parseDocument: fail, visit: fail, isMap: fail, isSeq: fail, isScalar: fail,' +
        ' LineCounter: class { constructor() { fail(); } } };',
      loader: 'js',
    }));
  },
};
const noSdkV2Tracing = {
  name: 'kass-no-xray-sdk-v2-patcher',
  setup(b) {
    b.onResolve({ filter: /^\\.\\/patchers\\/aws_p$/ }, (args) =>
      /[\\/]aws-xray-sdk-core[\\/]/.test(args.importer) ? { path: 'aws_p', namespace: 'kass-no-sdk-v2' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'kass-no-sdk-v2' }, () => ({
      contents:
        'const fail = () => { throw new Error("X-Ray capture of AWS SDK v2 is not bundled into Lambdas: use captureAWSv3Client."); };' +
        'module.exports = { captureAWS: fail, captureAWSClient: fail };',
      loader: 'js',
    }));
  },
};
build({ ...workerData.options, plugins: [schemasAsJson, noSdkV2Tracing] }).then(
  (result) => done({ metafile: result.metafile }),
  (error) => done({ error: (error.errors || []).map((e) => e.text).join('; ') || String(error) }),
);
`;

/** Runs `options` through esbuild with the plugins above and returns its metafile; throws on a failed build. */
export function buildBlocking(options: BuildOptions): Metafile {
  const flag = new SharedArrayBuffer(4);
  const resultFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kass-build-')), 'result.json');
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      flag,
      resultFile,
      options: { ...options, metafile: true },
      esbuild: require.resolve('esbuild'),
      yaml: require.resolve('yaml'),
    },
  });
  try {
    Atomics.wait(new Int32Array(flag), 0, 0);
    const result = JSON.parse(fs.readFileSync(resultFile, 'utf8')) as { metafile?: Metafile; error?: string };
    if (result.error !== undefined || !result.metafile) throw new Error(`esbuild failed: ${result.error}`);
    return result.metafile;
  } finally {
    void worker.terminate();
    fs.rmSync(path.dirname(resultFile), { recursive: true, force: true });
  }
}
