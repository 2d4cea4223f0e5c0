import { createHash } from 'node:crypto';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config/stage-config';
import { type GatewayToolFunction, KassGateway } from '../constructs/agentcore-gateway';
import { KassHarness } from '../constructs/agentcore-harness';
import type { HarnessAgentEndpoint } from '../constructs/chat/agent-endpoint';
import { IdentityKey } from '../constructs/identity-key';
import type { KassFunction } from '../constructs/kass-function';
import type { GuardrailRef, KnowledgeBaseRef } from '../constructs/resource-refs';

export interface AgentCoreProps {
  readonly config: StageConfig;
  readonly instruction: string;
  readonly tools: readonly GatewayToolFunction[];
  readonly knowledgeBase: KnowledgeBaseRef;
  readonly guardrail: GuardrailRef;
  /** Extra inputs that change the assistant (e.g. the guardrail policy hash), for the reported version. */
  readonly versionInputs?: readonly string[];
}

/** What the AgentCore engine built, for the chat APIs, the outputs and tests. */
export interface AgentCoreEngine {
  readonly identityKey: IdentityKey;
  readonly gateway: KassGateway;
  readonly harness: KassHarness;
  /** What the chat functions invoke. */
  readonly endpoint: HarnessAgentEndpoint;
  /** Hash of everything that shapes the assistant (GET /health reports it). */
  readonly configurationHash: string;
}

/** The AgentCore engine: identity key, gateway over the tool Lambdas and the knowledge tool, harness. */
export function composeAgentCore(scope: Construct, props: AgentCoreProps): AgentCoreEngine {
  const { config } = props;
  const functionDefaults = {
    logLevel: config.lambda.logLevel,
    logRetentionDays: config.logRetentionDays,
    retainLogs: config.retainData,
  };
  const identityKey = new IdentityKey(scope, 'IdentityKey', { retainData: config.retainData });
  const gateway = new KassGateway(scope, 'ToolGateway', {
    stage: config.stage,
    tools: props.tools,
    config: config.agent.agentcore,
    knowledgeBase: props.knowledgeBase,
    guardrail: props.guardrail,
    identityKey,
    functionDefaults,
    knowledgeSettings: config.lambda.defaults,
  });
  const harness = new KassHarness(scope, 'Harness', {
    stage: config.stage,
    config: config.agent,
    instruction: props.instruction,
    gateway,
    guardrail: props.guardrail,
    functionDefaults,
    hookSettings: config.lambda.defaults,
  });
  const clientSideFunctions = new Map<string, KassFunction>();
  for (const tool of gateway.clientSideTools) clientSideFunctions.set(tool.group, tool.function);
  const configurationHash = createHash('sha256')
    .update(
      JSON.stringify({
        instruction: props.instruction.trim(),
        model: [config.agent.model, config.agent.inferenceGeo],
        agentcore: config.agent.agentcore,
        memory: config.agent.memory,
        tools: props.tools.map(({ tool }) => [tool.name, tool.schemaText]),
        extra: props.versionInputs ?? [],
      }),
    )
    .digest('hex')
    .slice(0, 12);
  return {
    identityKey,
    gateway,
    harness,
    configurationHash,
    endpoint: {
      engine: 'agentcore',
      harnessArn: harness.harness.attrArn,
      endpointName: harness.endpointName,
      endpointArn: harness.endpoint.attrArn,
      memoryEnabled: config.agent.memory.enabled,
      guardrail: props.guardrail,
      identityKey,
      clientSideFunctions,
      readOnlyClientTools: gateway.clientSideTools.filter((t) => !t.requireConfirmation).map((t) => t.name),
    },
  };
}
