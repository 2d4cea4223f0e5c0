import { PassThrough } from 'node:stream';
import { createEmptyBuckets, type EmptyBucketsDeps } from '../../cli/commands/empty-buckets';
import { type CommandEntry, main } from '../../cli/main';
import { AwsAccountFake } from '../support/aws-account-server';
import { captureIo } from '../support/cli-io';
import { setEnv } from '../support/invoke-agent-server';
import { refusedEndpoint } from '../support/unreachable';
import { VersionedS3Fake } from '../support/versioned-s3-server';

const DEV_OUTPUTS = {
  DataRetention: 'destroy',
  DocumentsBucketName: 'kass-dev-docs-bucket',
  DocumentsAccessLogBucketName: 'kass-dev-log-bucket',
};

describe('Command: kass empty-buckets', () => {
  let account: AwsAccountFake;
  let s3: VersionedS3Fake;
  beforeAll(async () => {
    account = await AwsAccountFake.start();
    s3 = await VersionedS3Fake.start();
  });
  afterAll(async () => {
    await account.close();
    await s3.close();
  });
  beforeEach(() => {
    account.reset();
    account.account.stacks = {
      'kass-dev': { ...DEV_OUTPUTS },
      'kass-prod': { ...DEV_OUTPUTS, DataRetention: 'retain' },
    };
    s3.buckets.clear();
    s3.deleteBatches.length = 0;
    s3.protectedKeys.clear();
    s3.fill('kass-dev-docs-bucket', 1200, 2, 300);
    s3.fill('kass-dev-log-bucket', 5);
  });

  /** `kass empty-buckets` through main, with CloudFormation and S3 pointed at the fakes. */
  async function emptyBuckets(args: string[], deps: EmptyBucketsDeps = {}, env: Record<string, string> = {}) {
    const restore = setEnv({ ...account.env(), AWS_ENDPOINT_URL_S3: s3.endpoint, ...env });
    try {
      const io = captureIo();
      const commands: Record<string, CommandEntry> = {
        'empty-buckets': {
          args: '',
          summary: '',
          load: async () => ({ usage: '', run: createEmptyBuckets({ env: process.env, ...deps }) }),
        },
      };
      const code = await main(['empty-buckets', ...args], io, commands);
      return { code, io };
    } finally {
      restore();
    }
  }

  it('deletes every version and delete marker of both dev buckets, in batches of at most 1000', async () => {
    // Act
    const { code, io } = await emptyBuckets(['--yes']);
    // Assess
    expect(code).toBe(0);
    expect(s3.buckets.get('kass-dev-docs-bucket')).toEqual([]);
    expect(s3.buckets.get('kass-dev-log-bucket')).toEqual([]);
    expect(io.out()).toContain(
      'Emptied s3://kass-dev-docs-bucket: 2400 object version(s) and 300 delete marker(s) deleted',
    );
    expect(io.out()).toContain(
      'Emptied s3://kass-dev-log-bucket: 5 object version(s) and 0 delete marker(s) deleted',
    );
    expect(io.out()).toContain('Now run: npx cdk destroy -c stage=dev');
    expect(Math.max(...s3.deleteBatches)).toBeLessThanOrEqual(1000);
    expect(s3.deleteBatches.reduce((a, b) => a + b, 0)).toBe(2705);
  });

  it('reports versions it could not delete by key, keeps going, and exits 1', async () => {
    // Prepare: small pages, one key whose versions S3 refuses to delete
    s3.protectedKeys.add('documents/raw/doc-00003.md');
    // Act
    const { code, io } = await emptyBuckets(['--yes', '--json'], { pageSize: 100 });
    // Assess
    expect(code).toBe(1);
    const report = JSON.parse(io.out());
    expect(report.buckets[0]).toMatchObject({
      name: 'kass-dev-docs-bucket',
      versions: 2398,
      deleteMarkers: 299,
    });
    expect(report.buckets[0].failed).toHaveLength(3);
    expect(report.buckets[0].failed[0]).toMatchObject({
      key: 'documents/raw/doc-00003.md',
      error: 'AccessDenied: Access Denied',
    });
    expect(s3.buckets.get('kass-dev-docs-bucket')).toHaveLength(3);
    expect(report.buckets[1]).toMatchObject({ versions: 4, failed: [{ key: 'documents/raw/doc-00003.md' }] });
  });

  it('refuses a stage that retains its data and deletes nothing', async () => {
    const { code, io } = await emptyBuckets(['--stage', 'prod', '--yes']);
    expect(code).toBe(1);
    expect(io.err()).toContain('stage prod retains its data (stack output DataRetention = retain)');
    expect(s3.deleteBatches).toEqual([]);
  });

  it('asks before deleting; anything but yes deletes nothing', async () => {
    // Act
    const no = await emptyBuckets([], {
      input: Object.assign(new PassThrough().end('n\n'), { isTTY: true }),
    });
    const yes = await emptyBuckets([], {
      input: Object.assign(new PassThrough().end('y\n'), { isTTY: true }),
    });
    // Assess
    expect(no.code).toBe(1);
    expect(no.io.err()).toContain(
      'This deletes every object version in s3://kass-dev-docs-bucket and s3://kass-dev-log-bucket (stage dev). Continue? [y/N] Nothing deleted.',
    );
    expect(yes.code).toBe(0);
    expect(s3.buckets.get('kass-dev-docs-bucket')).toEqual([]);
  });

  it('needs --yes when stdin is not a terminal', async () => {
    const { code, io } = await emptyBuckets([], {}, {});
    expect(code).toBe(2);
    expect(io.err()).toContain('pass --yes to confirm');
  });

  it('says the stack is not deployed when it has no outputs', async () => {
    account.account.stacks = {};
    const { code, io } = await emptyBuckets(['--yes']);
    expect(code).toBe(1);
    expect(io.err()).toContain('Stack kass-dev is not deployed in this account/region');
  });

  it('names S3 and its endpoint when it cannot be reached', async () => {
    const endpoint = await refusedEndpoint();
    const { code, io } = await emptyBuckets(['--yes'], {}, { AWS_ENDPOINT_URL_S3: endpoint });
    expect(code).toBe(1);
    expect(io.err()).toContain(`Could not reach S3 at ${endpoint}: the connection was refused`);
    expect(io.err()).toContain('(Trying to list the versions of s3://kass-dev-docs-bucket.)');
  });
});
