import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ExecuteStatementCommand, RDSDataClient } from '@aws-sdk/client-rds-data';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { applySchema, safeReason } from '../../../functions/pgvector-schema/apply-schema';
import { DataApiRunner, isRetryable } from '../../../functions/pgvector-schema/data-api';
import { handler } from '../../../functions/pgvector-schema/handler';
import { type CustomResourceRequest, responseFor } from '../../../functions/shared/cfn-response';
import { getTestEvent } from '../../support/events';

const rdsData = mockClient(RDSDataClient);
const secrets = mockClient(SecretsManagerClient);

/** A stand-in for CloudFormation's pre-signed S3 URL: records each PUT. */
function responseUrl() {
  const received: { method?: string; url?: string; contentType?: string; body: Record<string, unknown> }[] =
    [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      received.push({
        method: req.method,
        url: req.url,
        contentType: req.headers['content-type'],
        body: JSON.parse(body) as Record<string, unknown>,
      });
      res.end();
    });
  });
  return {
    received,
    start: () =>
      new Promise<string>((resolve) =>
        server.listen(0, '127.0.0.1', () =>
          resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/r?sig=1`),
        ),
      ),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const request = (patch: Partial<CustomResourceRequest> = {}): CustomResourceRequest => ({
  ...getTestEvent<CustomResourceRequest>({
    eventsPath: 'cloudformation',
    filename: 'pgvector-schema-create',
  }),
  ...patch,
});

const context = (remainingMs: number) =>
  ({
    functionName: 'schema',
    awsRequestId: 'r1',
    getRemainingTimeInMillis: () => remainingMs,
  }) as unknown as Context;

const resuming = () =>
  Object.assign(
    new Error('Database is resuming after being auto-paused. Please wait a few seconds and try again.'),
    {
      name: 'DatabaseResumingException',
    },
  );

describe('Custom resource: pgvector schema', () => {
  const url = responseUrl();
  let responseURL = '';
  beforeAll(async () => {
    responseURL = await url.start();
  });
  afterAll(async () => {
    await url.stop();
    rdsData.restore();
    secrets.restore();
  });
  beforeEach(() => {
    rdsData.reset();
    secrets.reset();
    url.received.length = 0;
    secrets
      .on(GetSecretValueCommand)
      .resolves({ SecretString: JSON.stringify({ username: 'bedrock_user', password: 'pw-123' }) });
    rdsData.on(ExecuteStatementCommand).resolves({ records: [[{ stringValue: 'vector(1024)' }]] });
  });

  it('runs every statement once, one per Data API call, on the cluster and database, and answers SUCCESS', async () => {
    // Act
    await handler(request({ ResponseURL: responseURL }), context(300_000));
    // Assess
    const calls = rdsData.commandCalls(ExecuteStatementCommand).map((c) => c.args[0].input);
    expect(calls).toHaveLength(11);
    for (const call of calls) {
      expect(call).toMatchObject({
        resourceArn: 'arn:aws:rds:us-east-1:123456789012:cluster:kass-dev-knowledgecluster6d67a108-x1y2z3',
        secretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:kassdevKnowledgeClusterSecr-AbCdEf',
        database: 'kass',
      });
      expect(call.sql?.split(';').filter((s) => s.trim()).length).toBeLessThanOrEqual(3);
    }
    expect(calls.map((c) => c.sql).join('\n')).not.toContain('pw-123');
    expect(calls[5]?.sql).toContain('embedding vector(1024)');
    expect(secrets).toHaveReceivedCommandWith(GetSecretValueCommand, {
      SecretId: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:KnowledgeBedrockUserSecret-GhIjKl',
    });
    expect(url.received).toEqual([
      {
        method: 'PUT',
        url: '/r?sig=1',
        contentType: '',
        body: {
          Status: 'SUCCESS',
          PhysicalResourceId:
            'arn:aws:rds:us-east-1:123456789012:cluster:kass-dev-knowledgecluster6d67a108-x1y2z3/bedrock_integration.bedrock_kb',
          StackId:
            'arn:aws:cloudformation:us-east-1:123456789012:stack/kass-dev/5b1e1d20-b3c4-11ef-9a1e-0e1c2f3a4b5c',
          RequestId: '7f3c9a2e-1d4b-4c8e-9f0a-2b3c4d5e6f70',
          LogicalResourceId: 'KnowledgeSchema2FD6A32B',
          Data: { TableName: 'bedrock_integration.bedrock_kb' },
        },
      },
    ]);
  });

  it('waits for a paused cluster to resume (DatabaseResumingException) and carries on', async () => {
    rdsData
      .on(ExecuteStatementCommand)
      .rejectsOnce(resuming())
      .rejectsOnce(resuming())
      .resolves({ records: [[{ stringValue: 'vector(1024)' }]] });
    const runner = (p: { ClusterArn: string; SecretArn: string; Database: string }) =>
      new DataApiRunner(
        new RDSDataClient({ region: 'us-east-1' }),
        { resourceArn: p.ClusterArn, secretArn: p.SecretArn, database: p.Database },
        { deadline: Date.now() + 5000, baseDelayMs: 1, maxDelayMs: 2 },
      );
    const outcome = await applySchema(request(), { runner, bedrockPassword: async () => 'pw' });
    expect(outcome.status).toBe('SUCCESS');
    expect(rdsData).toHaveReceivedCommandTimes(ExecuteStatementCommand, 13);
  });

  it('answers FAILED, in time, when the cluster does not resume before the deadline', async () => {
    rdsData.on(ExecuteStatementCommand).rejects(resuming());
    // 60.05 s left: the handler keeps 60 s to answer, so it gives up almost at once.
    await handler(request({ ResponseURL: responseURL }), context(60_050));
    expect(url.received[0]?.body).toMatchObject({
      Status: 'FAILED',
      Reason:
        'DatabaseResumingException: Database is resuming after being auto-paused. Please wait a few seconds and try again.',
    });
  });

  it('fails a table made for another dimension with what to do', async () => {
    rdsData.on(ExecuteStatementCommand).resolves({ records: [[{ stringValue: 'vector(512)' }]] });
    await handler(request({ ResponseURL: responseURL }), context(300_000));
    expect(url.received[0]?.body).toMatchObject({ Status: 'FAILED' });
    expect(String(url.received[0]?.body.Reason)).toMatch(
      /is vector\(512\) but the knowledge base embeds 1024/,
    );
  });

  it('does nothing on Delete and answers SUCCESS with the same physical id', async () => {
    await handler(
      request({
        RequestType: 'Delete',
        ResponseURL: responseURL,
        PhysicalResourceId: 'arn:old/bedrock_integration.bedrock_kb',
      }),
      context(300_000),
    );
    expect(rdsData).toHaveReceivedCommandTimes(ExecuteStatementCommand, 0);
    expect(url.received[0]?.body).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: 'arn:old/bedrock_integration.bedrock_kb',
    });
  });

  it.each([
    ['a non-numeric dimension', { Dimensions: 'big' }, /Invalid property|dimensions must be a whole number/],
    [
      'a cluster that is not an ARN',
      { ClusterArn: 'my-cluster' },
      /Invalid property ClusterArn: must be an Aurora cluster ARN/,
    ],
  ])('answers FAILED for %s, naming the property', async (_name, patch, reason) => {
    const base = request();
    await handler(
      { ...base, ResponseURL: responseURL, ResourceProperties: { ...base.ResourceProperties, ...patch } },
      context(300_000),
    );
    expect(url.received[0]?.body.Status).toBe('FAILED');
    expect(String(url.received[0]?.body.Reason)).toMatch(reason);
    expect(rdsData).toHaveReceivedCommandTimes(ExecuteStatementCommand, 0);
  });

  it('answers nothing to an event that is not a CloudFormation request', async () => {
    await expect(handler({ hello: 'world' }, context(300_000))).resolves.toBeUndefined();
    expect(url.received).toEqual([]);
  });

  it('keeps the response under CloudFormation’s 4 KB: a reason of 1,000 characters passes whole, longer is cut', () => {
    const at = (n: number) =>
      responseFor(request(), { status: 'FAILED', physicalResourceId: 'x', reason: 'r'.repeat(n) }).Reason;
    expect(at(1000)).toHaveLength(1000);
    expect(at(1001)).toHaveLength(1000);
    const body = JSON.stringify(
      responseFor(request(), {
        status: 'FAILED',
        physicalResourceId: 'x'.repeat(1024),
        reason: 'r'.repeat(5000),
      }),
    );
    expect(Buffer.byteLength(body)).toBeLessThan(4096);
  });

  it('keeps verifiers out of failure reasons and knows which Data API errors are worth waiting for', () => {
    expect(safeReason(new Error("syntax error at or near 'SCRAM-SHA-256$4096:abc$def:ghi'"))).toBe(
      "Error: syntax error at or near '[verifier]",
    );
    expect(isRetryable(resuming())).toBe(true);
    expect(
      isRetryable(Object.assign(new Error('Communications link failure'), { name: 'BadRequestException' })),
    ).toBe(true);
    expect(isRetryable(Object.assign(new Error('syntax error'), { name: 'BadRequestException' }))).toBe(
      false,
    );
    expect(isRetryable(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }))).toBe(false);
  });
});
