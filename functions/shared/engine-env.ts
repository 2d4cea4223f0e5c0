import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { KMSClient } from '@aws-sdk/client-kms';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { mintIdentity } from '../../action-groups/kit/gateway/identity';
import { kmsIdentitySigner } from '../../action-groups/kit/gateway/kms-identity';
import type { ChatEngine } from '../../client';
import { parseClientTools } from '../../client/client-tools';
import { bedrockGuardrail } from '../../client/guardrail';
import { HarnessClient } from '../../client/harness-client';
import { lambdaToolRunner } from '../../client/lambda-tool-runner';
import type { ValuesOf } from '../../contracts/env';
import type { AGENT_ENV } from '../../contracts/function-env';
import { agentClient } from './clients';
import { tracer } from './powertools';

/** The agent a function reaches, as its environment names it (`AGENT_ENV`). */
export type AgentSettings = ValuesOf<typeof AGENT_ENV>;

/**
 * The one place a chat function (REST /chat, the WebSocket worker, the Discord worker, …) gets its ChatEngine:
 * from the environment the stack gives it, never from a request. Classic: InvokeAgent on the alias. AgentCore:
 * InvokeHarness on the stage endpoint, with the output guardrail, the caller's identity signed for the tools
 * (KMS HMAC), and the confirmed inline functions run by invoking their tool Lambdas.
 */
export function chatEngineOf(agent: AgentSettings, deadlineMs: number): ChatEngine {
  if (agent.engine === 'classic') return agentClient(agent.agentId, agent.agentAliasId, deadlineMs);
  const timeoutMs = deadlineMs + 5_000;
  const signer = kmsIdentitySigner(tracer.captureAWSv3Client(new KMSClient({})), agent.identityKeyArn);
  const tools = parseClientTools(agent.clientTools);
  return new HarnessClient({
    harnessArn: agent.harnessArn,
    qualifier: agent.harnessQualifier,
    client: tracer.captureAWSv3Client(HarnessClient.defaultSdkClient({ requestTimeoutMs: timeoutMs })),
    requestTimeoutMs: timeoutMs,
    outputGuardrail: bedrockGuardrail(tracer.captureAWSv3Client(new BedrockRuntimeClient({})), {
      guardrailId: agent.outputGuardrailId,
      guardrailVersion: agent.outputGuardrailVersion,
    }),
    signIdentity: (attributes) => mintIdentity(signer, attributes),
    toolRunner: lambdaToolRunner(tracer.captureAWSv3Client(new LambdaClient({})), tools.functions),
    readOnlyTools: tools.readOnly,
  });
}
