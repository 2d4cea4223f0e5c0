import { RDSDataClient } from '@aws-sdk/client-rds-data';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context } from 'aws-lambda';
import { CustomResourceRequest, responseFor, sendResponse } from '../shared/cfn-response';
import { logger, tracer } from '../shared/powertools';
import { applySchema, type SchemaDeps } from './apply-schema';
import { DataApiRunner } from './data-api';

/** Time kept back from the Lambda timeout to answer CloudFormation (a silent timeout makes it wait an hour). */
const ANSWER_MARGIN_MS = 60_000;

const rdsData = tracer.captureAWSv3Client(new RDSDataClient({}));
const secrets = tracer.captureAWSv3Client(new SecretsManagerClient({}));

async function bedrockPassword(secretArn: string): Promise<string> {
  const out = await secrets.send(new GetSecretValueCommand({ SecretId: secretArn }));
  const password = out.SecretString
    ? (JSON.parse(out.SecretString) as { password?: unknown }).password
    : undefined;
  if (typeof password !== 'string' || password.length === 0)
    throw new Error(`secret ${secretArn} has no password field`);
  return password;
}

/**
 * Custom resource `Custom::PgvectorSchema`: creates the pgvector schema Bedrock needs on the Aurora cluster
 * through the RDS Data API, then answers CloudFormation at the pre-signed URL.
 */
export const handler = async (event: unknown, context?: Context): Promise<void> => {
  if (context) logger.addContext(context);
  const request = CustomResourceRequest.safeParse(event);
  if (!request.success) {
    // Not a CloudFormation request: nobody to answer.
    logger.error('not a custom resource request', { issues: request.error.issues.length });
    return;
  }
  const deadline = Date.now() + (context ? context.getRemainingTimeInMillis() : 300_000) - ANSWER_MARGIN_MS;
  const deps: SchemaDeps = {
    runner: (p) =>
      new DataApiRunner(
        rdsData,
        { resourceArn: p.ClusterArn, secretArn: p.SecretArn, database: p.Database },
        { deadline },
      ),
    bedrockPassword,
  };
  const outcome = await applySchema(request.data, deps);
  logger.info('pgvector schema', {
    requestType: request.data.RequestType,
    status: outcome.status,
    ...(outcome.reason ? { reason: outcome.reason } : {}),
  });
  await sendResponse(request.data.ResponseURL, responseFor(request.data, outcome));
};
