import * as iam from 'aws-cdk-lib/aws-iam';
import type { InputOfRecord } from '../../../contracts/env';
import type { AGENT_ENV } from '../../../contracts/function-env';
import type { IdentityKey } from '../identity-key';
import type { KassFunction } from '../kass-function';
import type { GuardrailRef } from '../resource-refs';

/** The Bedrock agent alias the chat functions invoke (the Classic engine). */
export interface ClassicAgentEndpoint {
  readonly engine?: 'classic';
  readonly agentId: string;
  readonly aliasId: string;
  /** `arn:…:agent-alias/<agentId>/<aliasId>`: the only resource bedrock:InvokeAgent is granted on. */
  readonly aliasArn: string;
  /** The agent has SESSION_SUMMARY memory: turns carry a per-owner `memoryId`. @default false */
  readonly memoryEnabled?: boolean;
}

/** The AgentCore harness endpoint the chat functions invoke, and what they need around it. */
export interface HarnessAgentEndpoint {
  readonly engine: 'agentcore';
  readonly harnessArn: string;
  /** The endpoint (InvokeHarness `qualifier`). */
  readonly endpointName: string;
  readonly endpointArn: string;
  /** The harness has memory: turns carry a per-owner actor id. @default false */
  readonly memoryEnabled?: boolean;
  /** Applied to the final answer (ApplyGuardrail OUTPUT), as the Classic agent's guardrail does. */
  readonly guardrail: GuardrailRef;
  /** Signs the caller's identity for the tools. */
  readonly identityKey: IdentityKey;
  /** Tool functions the chat functions run themselves (inline functions), by action group. */
  readonly clientSideFunctions: ReadonlyMap<string, KassFunction>;
  /** Inline functions that change nothing (`<group>___<operationId>`): they run without asking. */
  readonly readOnlyClientTools: readonly string[];
}

/** The `ClientTools` JSON (`client/client-tools.ts`): inline-function Lambdas and the read-only operations. */
export function clientToolsJson(agent: HarnessAgentEndpoint): string {
  return JSON.stringify({
    functions: Object.fromEntries(
      [...agent.clientSideFunctions].map(([group, fn]) => [group, fn.function.functionName]),
    ),
    readOnly: agent.readOnlyClientTools,
  });
}

export type AgentEndpoint = ClassicAgentEndpoint | HarnessAgentEndpoint;

/** The agent variables every agent-calling function reads (`AGENT_ENV`; `functions/shared/engine-env.ts`). */
export function agentEnvInput(agent: AgentEndpoint): InputOfRecord<typeof AGENT_ENV> {
  if (agent.engine === 'agentcore') {
    return {
      engine: 'agentcore',
      harnessArn: agent.harnessArn,
      harnessQualifier: agent.endpointName,
      memory: agent.memoryEnabled === true,
      outputGuardrailId: agent.guardrail.guardrailId,
      outputGuardrailVersion: agent.guardrail.guardrailVersion,
      clientTools: clientToolsJson(agent),
      identityKeyArn: agent.identityKey.key.keyArn,
    };
  }
  return {
    engine: 'classic',
    agentId: agent.agentId,
    agentAliasId: agent.aliasId,
    memory: agent.memoryEnabled === true,
  };
}

/**
 * Classic: bedrock:InvokeAgent on the one alias. AgentCore: InvokeHarness (and the InvokeAgentRuntime the harness
 * also checks) on the harness and its endpoint, the output guardrail, signing identities, and invoking exactly the
 * tool functions whose operations run on the caller's side.
 */
export function grantInvokeAgent(f: KassFunction, agent: AgentEndpoint): void {
  if (agent.engine !== 'agentcore') {
    f.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['bedrock:InvokeAgent'], resources: [agent.aliasArn] }),
    );
    return;
  }
  f.role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['bedrock-agentcore:InvokeHarness', 'bedrock-agentcore:InvokeAgentRuntime'],
      resources: [agent.harnessArn, agent.endpointArn],
    }),
  );
  f.role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['bedrock:ApplyGuardrail'],
      resources: [agent.guardrail.guardrailArn],
    }),
  );
  agent.identityKey.grantSign(f);
  const functions = [...agent.clientSideFunctions.values()].map((fn) => fn.function.functionArn);
  if (functions.length > 0) {
    f.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: functions }),
    );
  }
}
