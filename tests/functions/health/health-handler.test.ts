import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BedrockAgentRuntimeClient } from '@aws-sdk/client-bedrock-agent-runtime';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { buildSync } from 'esbuild';
import { handler } from '../../../functions/health/handler';
import { getTestEvent } from '../../support/events';
import { setEnv } from '../../support/invoke-agent-server';

describe('Handler: GET /health', () => {
  it('answers status and version without credentials, keys or any AWS call', async () => {
    // Prepare: no credentials, no endpoints; any SDK call would be recorded by the mocks.
    const bedrock = mockClient(BedrockAgentRuntimeClient);
    const ddb = mockClient(DynamoDBClient);
    const restore = setEnv({
      APP_VERSION: '1.2.3',
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
    });
    const event = getTestEvent<APIGatewayProxyEvent>({ eventsPath: 'apigw', filename: 'rest-health' });
    try {
      // Act
      const result = await handler(event);
      // Assess
      expect(result.statusCode).toBe(200);
      expect(JSON.parse(result.body)).toEqual({ status: 'ok', version: '1.2.3' });
      expect(result.headers).toMatchObject({
        'Content-Type': 'application/json; charset=utf-8',
        'Cache-Control': 'no-store',
      });
      expect(bedrock.calls()).toHaveLength(0);
      expect(ddb.calls()).toHaveLength(0);
    } finally {
      restore();
      bedrock.restore();
      ddb.restore();
    }
  });

  it('imports no AWS SDK at all (nothing to fail, nothing to pay per probe)', () => {
    // Its own imports: Lambda types and the contracts layer (its environment record) only.
    const source = readFileSync(path.join(__dirname, '../../../functions/health/handler.ts'), 'utf8');
    const imports = [...source.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
    expect(imports).toEqual(['aws-lambda', '../../contracts/function-env']);
    // And nothing it loads, transitively, is a package: the bundle is the project's own pure code.
    const bundle = buildSync({
      entryPoints: [path.join(__dirname, '../../../functions/health/handler.ts')],
      bundle: true,
      write: false,
      metafile: true,
      platform: 'node',
      packages: 'external',
      logLevel: 'silent',
    });
    const external = Object.values(bundle.metafile.inputs).flatMap((input) =>
      input.imports.filter((i) => i.external && !i.path.startsWith('node:')).map((i) => i.path),
    );
    expect(external).toEqual([]);
  });
});
