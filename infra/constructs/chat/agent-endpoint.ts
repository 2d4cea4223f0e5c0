import * as iam from 'aws-cdk-lib/aws-iam';
import type { KassFunction } from '../kass-function';

/** The Bedrock agent alias the chat functions invoke. */
export interface AgentEndpoint {
  readonly agentId: string;
  readonly aliasId: string;
  /** `arn:…:agent-alias/<agentId>/<aliasId>`: the only resource bedrock:InvokeAgent is granted on. */
  readonly aliasArn: string;
  /** The agent has SESSION_SUMMARY memory: turns carry a per-owner `memoryId`. @default false */
  readonly memoryEnabled?: boolean;
}

/** The environment every agent-calling function reads. */
export function agentEnvironment(agent: AgentEndpoint): Record<string, string> {
  return {
    AGENT_ID: agent.agentId,
    AGENT_ALIAS_ID: agent.aliasId,
    AGENT_MEMORY: agent.memoryEnabled ? 'on' : 'off',
  };
}

/** bedrock:InvokeAgent on the one alias. */
export function grantInvokeAgent(f: KassFunction, agent: AgentEndpoint): void {
  f.role.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions: ['bedrock:InvokeAgent'], resources: [agent.aliasArn] }),
  );
}
