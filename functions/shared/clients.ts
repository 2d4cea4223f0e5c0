import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AgentClient } from '../../client';
import { tracer } from './powertools';

/** A traced DynamoDB document client from the standard SDK configuration (region, endpoint variables). */
export function documentClient(): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(tracer.captureAWSv3Client(new DynamoDBClient({})), {
    marshallOptions: { removeUndefinedValues: true },
  });
}

/**
 * The agent engine for a function: the house `AgentClient` over a traced SDK client whose stream
 * inactivity timeout sits just above the turn's deadline (the deadline itself is an AbortSignal per turn).
 */
export function agentClient(agentId: string, agentAliasId: string, deadlineMs: number): AgentClient {
  const sdk = AgentClient.defaultSdkClient({ requestTimeoutMs: deadlineMs + 5_000 });
  return new AgentClient({ agentId, agentAliasId, client: tracer.captureAWSv3Client(sdk) });
}
