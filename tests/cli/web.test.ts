import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { DEFAULT_LOCAL_KEY, type ServedWeb, serveWeb } from '../../cli/commands/web';
import { main } from '../../cli/main';
import { StackOutputs } from '../../cli/stack-outputs';
import { captureIo } from '../support/cli-io';

const WEB_CONFIG = {
  apiUrl: 'https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/dev/',
  websocketUrl: 'wss://w5s0ck3t42.execute-api.us-east-1.amazonaws.com/dev',
  stage: 'dev',
  region: 'us-east-1',
  maxMessageChars: 4000,
  auth: {
    mode: 'cognito',
    domain: 'https://kass-dev-1.auth.us-east-1.amazoncognito.com',
    clientId: 'web123',
  },
};

describe('Command: kass web', () => {
  const cloudFormation = mockClient(CloudFormationClient);
  let dist: string;
  let served: ServedWeb | undefined;

  beforeAll(() => {
    // A stand-in page: these tests are about serving, the browser tests use the real build.
    dist = fs.mkdtempSync(path.join(os.tmpdir(), 'kass-web-page-'));
    fs.mkdirSync(path.join(dist, 'assets'));
    fs.writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>KASS chat</title>');
    fs.writeFileSync(path.join(dist, 'assets', 'index-abc.js'), 'console.log(1)');
  });
  afterEach(async () => {
    cloudFormation.reset();
    await served?.server.close();
    served = undefined;
  });

  const outputs = (values: Record<string, string>) => {
    cloudFormation.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'kass-dev',
          CreationTime: new Date(),
          StackStatus: 'CREATE_COMPLETE',
          Outputs: Object.entries(values).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
        },
      ],
    });
    return new StackOutputs('dev', {}, async () => new CloudFormationClient({ region: 'us-east-1' }));
  };

  const serve = (patch: Partial<Parameters<typeof serveWeb>[0]> = {}) =>
    serveWeb({
      local: false,
      stage: 'dev',
      port: 0,
      host: '127.0.0.1',
      apiKey: DEFAULT_LOCAL_KEY,
      build: false,
      distDir: dist,
      env: {},
      ...patch,
    });

  it('prints its help', async () => {
    const io = captureIo();
    await expect(main(['web', '--help'], io)).resolves.toBe(0);
    expect(io.out()).toContain('--local');
    expect(io.out()).toContain('WebConfig output');
  });

  it.each([
    [['--port', 'http'], /--port must be a port number/],
    [['--local', '--api-key', 'short'], /--api-key must be at least 20 characters/],
  ])('refuses %j with exit 2', async (argv, message) => {
    const io = captureIo();
    await expect(main(['web', ...argv], io)).resolves.toBe(2);
    expect(io.err()).toMatch(message);
  });

  it('serves the deployed stage’s WebConfig as config.json, with a CSP naming exactly its origins', async () => {
    // Prepare
    const stack = outputs({
      WebConfig: JSON.stringify(WEB_CONFIG),
      ChatAllowedOrigins: 'http://localhost:3000',
    });
    // Act
    served = await serve({ outputs: stack });
    const config = await fetch(new URL('config.json', served.server.url));
    const page = await fetch(new URL('c/some-conversation', served.server.url));
    // Assess
    expect(await config.json()).toEqual({ ...WEB_CONFIG, auth: { ...WEB_CONFIG.auth } });
    expect(config.headers.get('cache-control')).toBe('no-cache');
    expect(await page.text()).toContain('<title>KASS chat</title>');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain(
      "connect-src 'self' https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com wss://w5s0ck3t42.execute-api.us-east-1.amazonaws.com https://kass-dev-1.auth.us-east-1.amazoncognito.com;",
    );
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    // 127.0.0.1:<port> is not an allowed origin of the stage: the user is told before the browser fails.
    expect(served.warnings).toEqual([
      expect.stringMatching(/is not in the stage's chatApi\.allowedOrigins \(http:\/\/localhost:3000\)/),
    ]);
  });

  it('says how to fix a stack without the WebConfig output', async () => {
    const stack = outputs({ AgentId: 'A1' });
    await expect(serve({ outputs: stack })).rejects.toThrow(/has no output WebConfig.*--web-config/s);
  });

  it('refuses an unusable WebConfig with the reason', async () => {
    await expect(
      serve({ webConfig: JSON.stringify({ ...WEB_CONFIG, websocketUrl: 'http://x' }) }),
    ).rejects.toThrow(/websocketUrl must start with wss:\/\/ or ws:\/\//);
  });

  it('serves files safely: hashed assets cached, missing files and paths outside the page 404', async () => {
    served = await serve({ local: true });
    const asset = await fetch(new URL('assets/index-abc.js', served.server.url));
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await fetch(new URL('assets/missing.js', served.server.url))).status).toBe(404);
    expect((await fetch(`${served.server.url}..%2F..%2Fpackage.json`)).status).toBe(404);
    expect((await fetch(`${served.server.url}%2e%2e/%2e%2e/etc/passwd.txt`)).status).toBe(404);
  });

  it('--local: the fake REST API answers like API Gateway without a key and keeps users apart', async () => {
    served = await serve({ local: true });
    const base = served.server.url;
    const config = (await (await fetch(new URL('config.json', base))).json()) as {
      apiUrl: string;
      websocketUrl: string;
    };
    expect(config.websocketUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/ws$/);
    expect((await fetch(new URL('conversations', config.apiUrl))).status).toBe(403);
    const list = await fetch(new URL('conversations?userId=alice', config.apiUrl), {
      headers: { 'x-api-key': DEFAULT_LOCAL_KEY },
    });
    expect(await list.json()).toEqual({ conversations: [] });
    const other = await fetch(new URL('conversations/not-mine', config.apiUrl), {
      headers: { 'x-api-key': DEFAULT_LOCAL_KEY },
    });
    expect(other.status).toBe(404);
  });
});
