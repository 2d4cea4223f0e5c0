import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { explainNetworkFailure, networkFailure } from '../../cli/aws/network';
import { run as ask } from '../../cli/commands/ask';
import { createRetrieve } from '../../cli/commands/retrieve';
import { createSync } from '../../cli/commands/sync';
import { type CommandEntry, main } from '../../cli/main';
import { BedrockAgentFake } from '../support/bedrock-agent-server';
import { captureIo } from '../support/cli-io';
import { frame, setEnv, useInvokeAgentServer } from '../support/invoke-agent-server';
import { type LocalS3, startS3rver } from '../support/s3rver';
import {
  type HangingServer,
  refusedEndpoint,
  startHangingServer,
  UNRESOLVABLE_ENDPOINT,
} from '../support/unreachable';

const CREDENTIALS = { AWS_ACCESS_KEY_ID: 'FAKE', AWS_SECRET_ACCESS_KEY: 'FAKE', AWS_REGION: 'us-east-1' };
const IDS = ['--agent-id', 'AGENT12345', '--agent-alias-id', 'ALIAS12345'];
const FAST_POLL = { initialMs: 5, maxMs: 20, factor: 1.5 };

/** Runs `fn` with `process.env` pointing the SDK's standard configuration at `vars`, restoring it after. */
async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const restore = setEnv({ ...CREDENTIALS, ...vars });
  try {
    return await fn();
  } finally {
    restore();
  }
}

const elapsed = async <T>(fn: () => Promise<T>): Promise<{ value: T; seconds: number }> => {
  const started = Date.now();
  const value = await fn();
  return { value, seconds: (Date.now() - started) / 1000 };
};

describe('Network failures name the service, the endpoint and what to check', () => {
  let hanging: HangingServer;
  beforeAll(async () => {
    hanging = await startHangingServer();
  });
  afterAll(() => hanging.close());

  describe('Function: networkFailure', () => {
    it.each([
      [{ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:1' }, 'refused'],
      [
        { code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND bedrock-agent.xx-east-9.amazonaws.com' },
        'unresolved',
      ],
      [{ name: 'TimeoutError', message: 'Connection timed out after 1000 ms' }, 'timeout'],
      [{ code: 'CERT_HAS_EXPIRED', message: 'certificate has expired' }, 'tls'],
      [{ code: 'SELF_SIGNED_CERT_IN_CHAIN', message: 'self-signed certificate in certificate chain' }, 'tls'],
      [{ code: 'EHOSTUNREACH', message: 'connect EHOSTUNREACH 10.0.0.1:443' }, 'unreachable'],
      [
        { message: 'The pending stream has been canceled (caused by: connect ECONNREFUSED 127.0.0.1:9)' },
        'refused',
      ],
      [
        { message: 'wrapper', cause: { code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND x' } },
        'unresolved',
      ],
    ])('classifies %j as %s', (error, kind) => {
      expect(networkFailure(Object.assign(new Error(), error))?.kind).toBe(kind);
    });

    it('leaves service errors alone', () => {
      expect(
        networkFailure(Object.assign(new Error('denied'), { name: 'AccessDeniedException' })),
      ).toBeUndefined();
      expect(explainNetworkFailure(new Error('ValidationException: bad'))).toBeUndefined();
    });

    it('tells a TLS failure to look at an intercepting proxy and NODE_EXTRA_CA_CERTS', () => {
      const message = explainNetworkFailure(
        Object.assign(new Error('self-signed certificate in certificate chain'), {
          code: 'SELF_SIGNED_CERT_IN_CHAIN',
        }),
        { service: 'S3', endpoint: 'https://s3.us-east-1.amazonaws.com' },
        { AWS_REGION: 'us-east-1' },
      );
      expect(message).toContain(
        'Could not reach S3 at https://s3.us-east-1.amazonaws.com: the TLS handshake failed',
      );
      expect(message).toContain('NODE_EXTRA_CA_CERTS');
      expect(message).toContain('the region (AWS_REGION=us-east-1');
      expect(message).toContain('no endpoint override is set (AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL)');
      expect(message).toContain('not your credentials');
    });
  });

  describe('kass ask', () => {
    /** `kass ask` through main, as the kass binary runs it. */
    const agent = (vars: Record<string, string>, argv: string[] = []) =>
      withEnv(vars, async () => {
        const io = captureIo();
        const commands: Record<string, CommandEntry> = {
          ask: { args: '', summary: '', load: () => import('../../cli/commands/ask') },
        };
        const code = await main(['ask', 'vpn?', ...IDS, ...argv], io, commands);
        return { code, io };
      });

    it('names Bedrock Agent Runtime, the endpoint and the override when the connection is refused', async () => {
      // Prepare
      const endpoint = await refusedEndpoint();
      // Act
      const { code, io } = await agent({ AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME: endpoint });
      // Assess
      expect(code).toBe(1);
      expect(io.err()).toContain(
        `Could not reach Bedrock Agent Runtime at ${endpoint}: the connection was refused`,
      );
      expect(io.err()).toContain(`the endpoint override AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME=${endpoint}`);
      expect(io.err()).toContain('(Calling agent AGENT12345, alias ALIAS12345, region us-east-1.)');
      expect(io.err()).not.toContain('pending stream');
    });

    it('says the host does not resolve', async () => {
      const { code, io } = await agent({ AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME: UNRESOLVABLE_ENDPOINT });
      expect(code).toBe(1);
      expect(io.err()).toContain('Could not reach Bedrock Agent Runtime at http://aws.kass-test.invalid');
      expect(io.err()).toContain('the host name does not resolve (ENOTFOUND');
    });

    it('gives up on an endpoint that accepts but never answers after --timeout, not 180 s', async () => {
      // Act
      const { value, seconds } = await elapsed(() =>
        agent({ AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME: hanging.endpoint }, ['--timeout', '1']),
      );
      // Assess
      expect(value.code).toBe(1);
      expect(value.io.err()).toContain(`No answer from Bedrock Agent Runtime at ${hanging.endpoint} for 1 s`);
      expect(value.io.err()).toContain('allow more with --timeout (now 1 s)');
      expect(seconds).toBeLessThan(20);
    });

    it('rejects a --timeout that is not a positive number of seconds', async () => {
      const { code, io } = await agent({}, ['--timeout', '0']);
      expect(code).toBe(2);
      expect(io.err()).toBe(
        'kass ask: --timeout must be a number of seconds above 0 and at most 3600 (got 0)\n',
      );
    });
  });

  describe('kass chat', () => {
    it('explains a refused connection for the turn and keeps the session open', async () => {
      // Prepare
      const endpoint = await refusedEndpoint();
      // Act
      const { code, io } = await withEnv({ AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME: endpoint }, async () => {
        const captured = captureIo();
        const { run } = await import('../../cli/commands/chat');
        const input = new PassThrough();
        input.end('hello\n/exit\n');
        return { code: await run([...IDS, '--timeout', '5'], captured, { input }), io: captured };
      });
      // Assess
      expect(code).toBe(0);
      expect(io.err()).toContain(
        `Could not reach Bedrock Agent Runtime at ${endpoint}: the connection was refused`,
      );
    });

    it('gives up on a silent turn after --timeout', async () => {
      const { code, io } = await withEnv(
        { AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME: hanging.endpoint },
        async () => {
          const captured = captureIo();
          const { run } = await import('../../cli/commands/chat');
          const input = new PassThrough();
          input.end('hello\n/exit\n');
          return { code: await run([...IDS, '--timeout', '1'], captured, { input }), io: captured };
        },
      );
      expect(code).toBe(0);
      expect(io.err()).toContain(`No answer from Bedrock Agent Runtime at ${hanging.endpoint} for 1 s`);
    });
  });

  describe('kass ask (a slow agent)', () => {
    const server = useInvokeAgentServer({ KASS_AGENT_ID: undefined, KASS_AGENT_ALIAS_ID: undefined });

    it('says it is still waiting while the agent is silent, then answers', async () => {
      // Prepare
      server.enqueue({ frames: [frame.pause(400), frame.text('Reconnect the VPN.')] });
      const io = captureIo();
      // Act
      const code = await ask(['vpn?', ...IDS], io, { waitingNoticeMs: 100 });
      // Assess
      expect(code).toBe(0);
      expect(io.out()).toContain('Reconnect the VPN.');
      expect(io.err()).toMatch(
        /waiting for the agent: nothing for \d+ s \(gives up after 180 s of silence; --timeout\)/,
      );
    });
  });

  describe('kass sync', () => {
    let s3: LocalS3;
    let dir: string;
    let bucketCount = 0;
    beforeAll(async () => {
      s3 = await startS3rver();
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kass-net-'));
      fs.mkdirSync(path.join(dir, 'raw'));
      fs.writeFileSync(path.join(dir, 'raw', 'vpn.md'), '# VPN\nConnect with WireGuard.\n');
      fs.writeFileSync(path.join(dir, 'raw', 'on-call.txt'), 'Primary acknowledges within 5 minutes.\n');
    });
    afterAll(() => s3.close());

    const sync = async (vars: Record<string, string>, argv: string[] = []) => {
      const bucket = `kass-net-${++bucketCount}`;
      await s3.createBucket(bucket);
      const ids = ['--bucket', bucket, '--knowledge-base-id', 'KBTEST0001', '--data-source-id', 'DSTEST0001'];
      return withEnv({ ...s3.env, ...vars }, async () => {
        const io = captureIo(dir);
        const code = await createSync({ poll: FAST_POLL })(['.', ...ids, ...argv], io);
        return { code, io, bucket };
      });
    };

    it('reports "uploaded N, ingestion not started" with exit 3 when Bedrock refuses the connection', async () => {
      // Prepare
      const endpoint = await refusedEndpoint();
      // Act
      const { code, io, bucket } = await sync({ AWS_ENDPOINT_URL_BEDROCK_AGENT: endpoint });
      // Assess
      expect(code).toBe(3);
      expect(await s3.keys(bucket)).toEqual(['documents/raw/on-call.txt', 'documents/raw/vpn.md']);
      expect(io.out()).toContain('2 uploaded (2 new, 0 modified)');
      expect(io.err()).toContain(
        `Uploaded 2, ingestion not started: Could not reach Bedrock Agent at ${endpoint}: the connection was refused`,
      );
      expect(io.err()).toContain('run kass sync again to index them');
      expect(io.err()).not.toContain('unexpected error');
    });

    it('prints that outcome as a JSON document under --json', async () => {
      // Act
      const { code, io } = await sync({ AWS_ENDPOINT_URL_BEDROCK_AGENT: UNRESOLVABLE_ENDPOINT }, ['--json']);
      // Assess
      expect(code).toBe(3);
      const report = JSON.parse(io.out());
      expect(report).toMatchObject({
        uploads: [{ uploaded: true }, { uploaded: true }],
        ingestion: null,
        ingestionFailure: {
          phase: 'start',
          message: expect.stringContaining('Could not reach Bedrock Agent at http://aws.kass-test.invalid'),
        },
        exitCode: 3,
      });
      expect(report.ingestionFailure.message).toContain('the host name does not resolve');
    });

    it('times out a Bedrock endpoint that never answers after --timeout', async () => {
      // Act
      const { value, seconds } = await elapsed(() =>
        sync({ AWS_ENDPOINT_URL_BEDROCK_AGENT: hanging.endpoint }, ['--timeout', '1']),
      );
      // Assess
      expect(value.code).toBe(3);
      expect(value.io.err()).toContain(
        `Could not reach Bedrock Agent at ${hanging.endpoint}: no answer in time`,
      );
      expect(value.io.err()).toContain('a slow endpoint: allow more time');
      expect(seconds).toBeLessThan(30);
    });

    it('stops with one message naming S3 when the bucket endpoint refuses, and a JSON error under --json', async () => {
      // Prepare
      const endpoint = await refusedEndpoint();
      // Act
      const { code, io } = await withEnv({ AWS_ENDPOINT_URL_S3: endpoint }, async () => {
        const captured = captureIo(dir);
        const commands: Record<string, CommandEntry> = {
          sync: {
            args: '',
            summary: '',
            load: async () => ({ usage: '', run: createSync({ poll: FAST_POLL }) }),
          },
        };
        const ids = ['--bucket', 'b', '--knowledge-base-id', 'KB', '--data-source-id', 'DS', '--json'];
        return { code: await main(['sync', '.', ...ids], captured, commands), io: captured };
      });
      // Assess
      expect(code).toBe(1);
      expect(io.err()).toContain(`kass sync: Could not reach S3 at ${endpoint}: the connection was refused`);
      expect(io.err()).toContain('(Trying to list s3://b.)');
      expect(JSON.parse(io.out())).toEqual({
        error: expect.stringContaining('Could not reach S3'),
        exitCode: 1,
      });
    });

    it('names CloudFormation when the stack outputs cannot be read', async () => {
      // Prepare
      const endpoint = await refusedEndpoint();
      // Act
      const { code, io } = await withEnv(
        { AWS_ENDPOINT_URL_CLOUDFORMATION: endpoint, KASS_DOCUMENTS_BUCKET: undefined },
        async () => {
          const captured = captureIo(dir);
          const commands: Record<string, CommandEntry> = {
            sync: { args: '', summary: '', load: async () => ({ usage: '', run: createSync() }) },
          };
          return { code: await main(['sync', '.'], captured, commands), io: captured };
        },
      );
      // Assess
      expect(code).toBe(1);
      expect(io.err()).toContain(`Could not reach CloudFormation at ${endpoint}`);
      expect(io.err()).toContain(
        '(Reading the outputs of stack kass-dev; or pass --bucket / set KASS_DOCUMENTS_BUCKET.)',
      );
    });
  });

  describe('kass retrieve', () => {
    it('names Bedrock Agent Runtime and the endpoint', async () => {
      const endpoint = await refusedEndpoint();
      const { code, io } = await withEnv({ AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME: endpoint }, async () => {
        const captured = captureIo();
        const commands: Record<string, CommandEntry> = {
          retrieve: { args: '', summary: '', load: async () => ({ usage: '', run: createRetrieve() }) },
        };
        return {
          code: await main(['retrieve', 'vpn', '--knowledge-base-id', 'KBTEST0001'], captured, commands),
          io: captured,
        };
      });
      expect(code).toBe(1);
      expect(io.err()).toContain(`kass retrieve: Could not reach Bedrock Agent Runtime at ${endpoint}`);
    });
  });

  describe('Any command', () => {
    it('explains a network failure it did not handle itself instead of "unexpected error"', async () => {
      // Prepare: a command that lets a raw SDK network error escape
      const io = captureIo();
      const commands: Record<string, CommandEntry> = {
        raw: {
          args: '',
          summary: '',
          load: async () => ({
            usage: '',
            run: async () => {
              throw Object.assign(new Error('getaddrinfo ENOTFOUND sts.xx-east-9.amazonaws.com'), {
                code: 'ENOTFOUND',
              });
            },
          }),
        },
      };
      // Act
      const code = await main(['raw'], io, commands);
      // Assess
      expect(code).toBe(1);
      expect(io.err()).toMatch(/^kass raw: Could not reach AWS: the host name does not resolve/);
      expect(io.err()).not.toContain('unexpected error');
    });
  });

  it('has a fake Bedrock Agent available for the other suites (sanity)', async () => {
    const fake = await BedrockAgentFake.start();
    expect(fake.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await fake.close();
  });
});
