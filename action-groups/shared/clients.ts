import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tracer } from '../kit/powertools';

/*
 * The AWS clients tool handlers build once per cold start: the SDK's standard configuration (region,
 * credentials, retries, AWS_ENDPOINT_URL_*), traced by X-Ray.
 */

/** A traced DynamoDB document client (undefined attributes are left out of written items). */
export const documentClient = (): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(tracer.captureAWSv3Client(new DynamoDBClient({})), {
    marshallOptions: { removeUndefinedValues: true },
  });

/** A traced Bedrock Runtime client (Converse). */
export const bedrockRuntimeClient = (): BedrockRuntimeClient =>
  tracer.captureAWSv3Client(new BedrockRuntimeClient({}));
