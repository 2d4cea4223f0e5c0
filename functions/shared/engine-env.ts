import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { KMSClient } from '@aws-sdk/client-kms';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { mintIdentity } from '../../action-groups/kit/gateway/identity';
import { IDENTITY_KEY_ENV, kmsIdentitySigner } from '../../action-groups/kit/gateway/kms-identity';
import type { ChatEngine } from '../../client';
import { parseClientTools } from '../../client/client-tools';
import { bedrockGuardrail } from '../../client/guardrail';
import { HarnessClient } from '../../client/harness-client';
import { lambdaToolRunner } from '../../client/lambda-tool-runner';
import { agentClient } from './clients';
import { choiceEnv, requireEnv } from './env';
import { tracer } from './powertools';

/** The agent engines a stage can run on (`AGENT_ENGINE`; unset means Classic, as stacks before AgentCore). */
export const ENGINES = ['classic', 'agentcore'] as const;

/**
 * The one place a chat function (REST /chat, the WebSocket worker, the Discord worker, …) gets its ChatEngine:
 * from the environment the stack gives it, never from a request. Classic: InvokeAgent on the alias. AgentCore:
 * InvokeHarness on the stage endpoint, with the output guardrail, the caller's identity signed for the tools
 * (KMS HMAC), and the confirmed inline functions run by invoking their tool Lambdas.
 */
export function chatEngineFromEnv(deadlineMs: number): ChatEngine {
  const engine = process.env.AGENT_ENGINE ? choiceEnv('AGENT_ENGINE', ENGINES) : 'classic';
  if (engine === 'classic')
    return agentClient(requireEnv('AGENT_ID'), requireEnv('AGENT_ALIAS_ID'), deadlineMs);
  const timeoutMs = deadlineMs + 5_000;
  const signer = kmsIdentitySigner(
    tracer.captureAWSv3Client(new KMSClient({})),
    requireEnv(IDENTITY_KEY_ENV),
  );
  const tools = parseClientTools(requireEnv('CLIENT_TOOLS'));
  return new HarnessClient({
    harnessArn: requireEnv('HARNESS_ARN'),
    qualifier: requireEnv('HARNESS_QUALIFIER'),
    client: tracer.captureAWSv3Client(HarnessClient.defaultSdkClient({ requestTimeoutMs: timeoutMs })),
    requestTimeoutMs: timeoutMs,
    outputGuardrail: bedrockGuardrail(tracer.captureAWSv3Client(new BedrockRuntimeClient({})), {
      guardrailId: requireEnv('OUTPUT_GUARDRAIL_ID'),
      guardrailVersion: requireEnv('OUTPUT_GUARDRAIL_VERSION'),
    }),
    signIdentity: (attributes) => mintIdentity(signer, attributes),
    toolRunner: lambdaToolRunner(tracer.captureAWSv3Client(new LambdaClient({})), tools.functions),
    readOnlyTools: tools.readOnly,
  });
}
