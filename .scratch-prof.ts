import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { startS3rver } from './tests/support/s3rver';
(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'p-'));
  for (let i = 0; i < 1000; i++) { const f = path.join(dir, 'raw', `b${i%10}`); mkdirSync(f, { recursive: true }); writeFileSync(path.join(f, `d${i}.txt`), randomBytes(6000).toString('base64').slice(0, 8191)); }
  const s3 = await startS3rver({ buckets: ['bench'] });
  Object.assign(process.env, s3.env);
  let t = performance.now();
  const lap = (l: string) => { const n = performance.now(); console.log(l, (n - t).toFixed(0), 'ms'); t = n; };
  const { scanFolder } = await import('./cli/sync/scan'); const { hashFile } = await import('./cli/sync/hash'); const { forEachLimit } = await import('./cli/sync/pool');
  lap('import domain');
  const sdk = await import('@aws-sdk/client-s3'); lap('import s3 sdk');
  await import('@aws-sdk/client-bedrock-agent'); lap('import agent sdk');
  const scan = await scanFolder(dir); lap('scan');
  await forEachLimit(scan.files, 16, async (f) => { await hashFile(f.absPath, f.size); }); lap('hash');
  const { S3DocumentsBucket } = await import('./cli/sync/bucket');
  const b = await S3DocumentsBucket.open('bench'); lap('open');
  await b.list('documents/'); lap('list empty');
  await forEachLimit(scan.files, 16, async (f) => { await b.put({ key: 'documents/' + f.relPath, absPath: f.absPath, contentType: 'text/plain' }); }); lap('put 1000');
  await b.list('documents/'); lap('list 1000');
  await b.list('documents/'); lap('list 1000 again');
  b.destroy(); await s3.close();
})();
