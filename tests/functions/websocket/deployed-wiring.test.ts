import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { APIGatewayClient, GetApiKeyCommand } from '@aws-sdk/client-api-gateway';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { ownerOfApp } from '../../../functions/shared/owner';
import { handler as authorize } from '../../../functions/websocket/authorizer';
import { handler as connections } from '../../../functions/websocket/connections-handler';
import { handler as ingress } from '../../../functions/websocket/message-handler';
import { handler as turn } from '../../../functions/websocket/turn-handler';
import { getTestEvent } from '../../support/events';
import { frame } from '../../support/invoke-agent-server';
import { API_KEY, API_KEY_ID, APP, type ChatWorld, startChatWorld, TABLES } from '../chat/support/chat-world';

/**
 * The WebSocket functions as deployed (handlers built from the environment the construct sets): the
 * authorizer's owner reaches `$connect`, the ingress invokes the worker (Lambda mocked, payload captured),
 * and the worker streams through the real management-API client to a local server, in order.
 */
describe('WebSocket handlers wired from the environment', () => {
  let world: ChatWorld;
  let management: Server;
  let managementEndpoint: string;
  const posted: { path: string; body: Record<string, unknown> }[] = [];
  const lambda = mockClient(LambdaClient);
  const apigateway = mockClient(APIGatewayClient);

  beforeAll(async () => {
    world = await startChatWorld({ TURN_FUNCTION_NAME: 'kass-test-TurnFunction', AUTH_MODE: 'api-keys' });
    management = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        posted.push({
          path: decodeURIComponent(req.url ?? ''),
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
        });
        res.writeHead(200);
        res.end();
      });
    });
    await new Promise<void>((resolve) => management.listen(0, '127.0.0.1', resolve));
    managementEndpoint = `http://127.0.0.1:${(management.address() as AddressInfo).port}/dev`;
  });
  afterAll(async () => {
    lambda.restore();
    apigateway.restore();
    await new Promise<void>((resolve) => management.close(() => resolve()));
    await world.stop();
  });

  it('connects, accepts a message and streams the answer in order to the connection', async () => {
    // Prepare: $connect through the authorizer, as API Gateway chains them.
    apigateway.on(GetApiKeyCommand).resolves({ id: API_KEY_ID, value: API_KEY, enabled: true });
    const auth = await authorize(
      getTestEvent({ eventsPath: 'apigw', filename: 'websocket-authorizer-connect' }),
    );
    const connect = getTestEvent<{ requestContext: { authorizer: Record<string, unknown> } }>({
      eventsPath: 'apigw',
      filename: 'websocket-connect',
    });
    connect.requestContext.authorizer = {
      ...auth.context,
      principalId: auth.principalId,
      integrationLatency: 12,
    };
    expect(await connections(connect)).toEqual({ statusCode: 200 });
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
    world.agent.enqueue({
      frames: [frame.text('First, '), frame.text('install '), frame.text('the client.')],
    });

    // Act: the client's sendMessage, then the asynchronous worker invocation with the captured payload.
    const accepted = await ingress(getTestEvent({ eventsPath: 'apigw', filename: 'websocket-send-message' }));
    const payload = JSON.parse(
      new TextDecoder().decode(lambda.commandCalls(InvokeCommand)[0]?.args[0].input.Payload as Uint8Array),
    ) as Record<string, unknown>;
    // The only substitution: the management endpoint becomes the local server.
    expect(payload.endpoint).toBe('https://w5s0ck3t42.execute-api.us-east-1.amazonaws.com/dev');
    await turn({ ...payload, endpoint: managementEndpoint });

    // Assess
    const { conversationId } = JSON.parse(accepted.body as string) as { conversationId: string };
    expect(JSON.parse(accepted.body as string)).toMatchObject({ type: 'accepted' });
    expect(lambda).toHaveReceivedCommandWith(InvokeCommand, {
      FunctionName: 'kass-test-TurnFunction',
      InvocationType: 'Event',
    });
    expect(payload).toMatchObject({ owner: ownerOfApp(APP), app: APP, acceptedAt: expect.any(Number) });
    expect(apigateway).toHaveReceivedCommandWith(GetApiKeyCommand, {
      apiKey: API_KEY_ID,
      includeValue: true,
    });
    expect(posted.map((p) => p.path)).toEqual(Array(4).fill('/dev/@connections/L0SM9cOFvHcCIhw='));
    expect(posted.map((p) => p.body)).toEqual([
      { type: 'chunk', conversationId, seq: 0, text: 'First, ' },
      { type: 'chunk', conversationId, seq: 1, text: 'install ' },
      { type: 'chunk', conversationId, seq: 2, text: 'the client.' },
      { type: 'final', conversationId, answer: 'First, install the client.', citations: [] },
    ]);
    expect((await world.scan(TABLES.conversations)).map((i) => i.role).sort()).toEqual(['assistant', 'user']);
  });
});
