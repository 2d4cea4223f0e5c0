import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { LambdaTurnDispatcher, ManagementApiPoster } from '../../../functions/websocket/aws-adapters';
import { TURN_JOB_TYPE, type TurnJob } from '../../../functions/websocket/turn-job';
import { setEnv } from '../../support/invoke-agent-server';

/**
 * A local stand-in for the API Gateway management API: `POST /<stage>/@connections/<id>` records the body;
 * connections listed in `gone` answer 410 GoneException, as API Gateway does for a closed connection.
 */
async function startManagementApi(gone: string[] = []) {
  const received: { path: string; body: unknown; authorization: string | undefined }[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = decodeURIComponent(req.url ?? '');
      if (gone.some((id) => path.endsWith(`/@connections/${id}`))) {
        res.writeHead(410, { 'content-type': 'application/json', 'x-amzn-errortype': 'GoneException' });
        res.end(JSON.stringify({ message: 'Gone' }));
        return;
      }
      received.push({
        path,
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
        authorization: req.headers.authorization,
      });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}/dev`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('Class: ManagementApiPoster', () => {
  let restore: () => void;
  beforeAll(() => {
    restore = setEnv({
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDLOCALTEST',
      AWS_SECRET_ACCESS_KEY: 'local-test-secret',
    });
  });
  afterAll(() => restore());

  it('posts frames to the connection in order, signed, through one client per endpoint', async () => {
    // Prepare
    const api = await startManagementApi();
    const created: string[] = [];
    const poster = new ManagementApiPoster((endpoint) => {
      created.push(endpoint);
      return new ApiGatewayManagementApiClient({ endpoint });
    });
    try {
      // Act
      for (let seq = 0; seq < 3; seq++) {
        await poster.post(api.endpoint, 'L0SM9cOFvHcCIhw=', {
          type: 'chunk',
          conversationId: 'c-1',
          seq,
          text: `t${seq}`,
        });
      }
      await poster.post(api.endpoint, 'L0SM9cOFvHcCIhw=', {
        type: 'final',
        conversationId: 'c-1',
        answer: 't0t1t2',
        citations: [],
      });
      // Assess
      expect(api.received.map((r) => r.path)).toEqual(Array(4).fill('/dev/@connections/L0SM9cOFvHcCIhw='));
      expect(api.received.map((r) => (r.body as { type: string; seq?: number }).seq ?? 'final')).toEqual([
        0,
        1,
        2,
        'final',
      ]);
      expect(api.received[0]?.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIDLOCALTEST\/\d+\/us-east-1\/execute-api\//,
      );
      expect(created).toEqual([api.endpoint]);
      expect(poster.size).toBe(1);
    } finally {
      await api.close();
    }
  });

  it('reports a closed connection as gone instead of failing', async () => {
    const api = await startManagementApi(['gone-connection']);
    try {
      const result = await new ManagementApiPoster().post(api.endpoint, 'gone-connection', {
        type: 'error',
        status: 500,
        error: 'x',
      });
      expect(result).toBe('gone');
    } finally {
      await api.close();
    }
  });
});

describe('Class: LambdaTurnDispatcher', () => {
  const lambda = mockClient(LambdaClient);
  afterAll(() => lambda.restore());

  it('invokes the worker asynchronously with the job as payload', async () => {
    // Prepare
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
    const job: TurnJob = {
      type: TURN_JOB_TYPE,
      connectionId: 'L0SM9cOFvHcCIhw=',
      endpoint: 'https://w5s0ck3t42.execute-api.us-east-1.amazonaws.com/dev',
      owner: 'apikey:abc',
      message: 'Hi',
      conversationId: 'conv-1',
    };
    // Act
    await new LambdaTurnDispatcher('kass-dev-TurnFunction').dispatch(job);
    // Assess
    expect(lambda).toHaveReceivedCommandWith(InvokeCommand, {
      FunctionName: 'kass-dev-TurnFunction',
      InvocationType: 'Event',
    });
    const payload = lambda.commandCalls(InvokeCommand)[0]?.args[0].input.Payload as Uint8Array;
    expect(JSON.parse(new TextDecoder().decode(payload))).toEqual(job);
  });
});
