import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  BedrockClient,
  PutModelInvocationLoggingConfigurationCommand,
  ValidationException,
} from '@aws-sdk/client-bedrock';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../../functions/bedrock-logging/handler';
import { getTestEvent } from '../../support/events';

/** A stand-in for CloudFormation's pre-signed response URL: records every PUT. */
async function responseUrl(): Promise<{
  url: string;
  bodies: Record<string, unknown>[];
  close: () => Promise<void>;
}> {
  const bodies: Record<string, unknown>[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      if (req.method === 'PUT') bodies.push(JSON.parse(body) as Record<string, unknown>);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/response?X-Amz-Signature=abc`,
    bodies,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('Handler: Custom::ModelInvocationLogging', () => {
  const bedrock = mockClient(BedrockClient);
  beforeEach(() => bedrock.reset());

  it('puts the configuration and answers CloudFormation at the response URL', async () => {
    // Prepare
    const response = await responseUrl();
    const event = {
      ...getTestEvent<{ StackId: string; RequestId: string }>({
        eventsPath: 'cloudformation',
        filename: 'model-invocation-logging-create',
      }),
      ResponseURL: response.url,
    };
    bedrock.on(PutModelInvocationLoggingConfigurationCommand).resolves({});
    // Act
    await handler(event);
    await response.close();
    // Assess
    expect(bedrock).toHaveReceivedCommandWith(PutModelInvocationLoggingConfigurationCommand, {
      loggingConfig: expect.objectContaining({
        s3Config: { bucketName: 'kass-dev-auditlogsa35f3e1f-1q2w3e4r5t6y', keyPrefix: 'bedrock-invocations' },
        textDataDeliveryEnabled: true,
      }),
    });
    expect(response.bodies).toEqual([
      {
        Status: 'SUCCESS',
        PhysicalResourceId: 'bedrock-model-invocation-logging',
        StackId: event.StackId,
        RequestId: event.RequestId,
        LogicalResourceId: 'AuditModelInvocationLoggingB06E46B6',
        Data: { Destinations: 's3,cloudwatch' },
      },
    ]);
  });

  it('answers FAILED with Bedrock’s reason instead of leaving the stack waiting', async () => {
    // Prepare
    const response = await responseUrl();
    const event = {
      ...getTestEvent<{ StackId: string; RequestId: string }>({
        eventsPath: 'cloudformation',
        filename: 'model-invocation-logging-create',
      }),
      ResponseURL: response.url,
    };
    bedrock
      .on(PutModelInvocationLoggingConfigurationCommand)
      .rejects(new ValidationException({ message: 'Invalid S3 bucket', $metadata: {} }));
    // Act: a context with 16 s left leaves no time to retry
    await handler(event, { getRemainingTimeInMillis: () => 16_000 } as never);
    await response.close();
    // Assess
    expect(response.bodies).toHaveLength(1);
    expect(response.bodies[0]).toMatchObject({
      Status: 'FAILED',
      Reason: expect.stringContaining('Invalid S3 bucket'),
    });
  });

  it('ignores an event that is not a CloudFormation request (nobody to answer)', async () => {
    // Act & Assess
    await expect(handler({ hello: 'world' })).resolves.toBeUndefined();
    expect(bedrock.calls()).toHaveLength(0);
  });
});
