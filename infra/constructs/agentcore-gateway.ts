import { Validations } from 'aws-cdk-lib';
import * as agentcore from 'aws-cdk-lib/aws-bedrockagentcore';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { parseSchemaSource } from '../../action-groups/kit/openapi/document';
import {
  type GatewaySchema,
  type GatewayTool,
  toGatewayTools,
} from '../../action-groups/kit/openapi/gateway-tools';
import { gatewayToolNameOf } from '../../action-groups/kit/schema-rules/patterns';
import { KNOWLEDGE_TOOL_ENV } from '../../contracts/function-env';
import { IDENTITY_HEADER } from '../../contracts/gateway';
import { KNOWLEDGE_TARGET, KNOWLEDGE_TOOL } from '../../contracts/knowledge-tool';
import type { AgentCoreConfig } from '../config/agentcore-config';
import { ConfigError } from '../config/config-error';
import type { LambdaSettings } from '../config/stage-config';
import type { IdentityKey } from './identity-key';
import { KassFunction, type KassFunctionDefaults } from './kass-function';
import { nagResource } from './nag-ids';
import type { GuardrailRef, KnowledgeBaseRef } from './resource-refs';
import type { DiscoveredTool } from './tool-discovery';

/** A tool as the gateway serves it: its schema and the Lambda that runs it. */
export interface GatewayToolFunction {
  readonly tool: DiscoveredTool;
  readonly function: KassFunction;
}

/** An operation the harness hands back to the caller (inline function): the chat API runs it itself. */
export interface ClientSideTool {
  /** `<group>___<operationId>`: what the model calls it. */
  readonly name: string;
  readonly group: string;
  readonly operationId: string;
  readonly description: string;
  readonly inputSchema: GatewaySchema;
  /** `x-requireConfirmation: ENABLED`: runs only after the user confirms. */
  readonly requireConfirmation: boolean;
  readonly function: KassFunction;
}

export interface KassGatewayProps {
  readonly stage: string;
  readonly tools: readonly GatewayToolFunction[];
  readonly config: AgentCoreConfig;
  readonly knowledgeBase: KnowledgeBaseRef;
  /** The numbered guardrail the knowledge tool applies to queries and passages (as /search does). */
  readonly guardrail: GuardrailRef;
  readonly identityKey: IdentityKey;
  readonly functionDefaults: KassFunctionDefaults;
  /** Memory and timeout of the knowledge tool. */
  readonly knowledgeSettings: LambdaSettings;
}

/** `SchemaDefinition` of the CDK from the converter's plain schema. */
function toSchemaDefinition(schema: GatewaySchema): agentcore.SchemaDefinition {
  return {
    type: agentcore.SchemaDefinitionType.of(schema.type),
    ...(schema.description ? { description: schema.description } : {}),
    ...(schema.items ? { items: toSchemaDefinition(schema.items) } : {}),
    ...(schema.properties
      ? {
          properties: Object.fromEntries(
            Object.entries(schema.properties).map(([name, s]) => [name, toSchemaDefinition(s)]),
          ),
        }
      : {}),
    ...(schema.required ? { required: [...schema.required] } : {}),
  };
}

const toToolDefinition = (tool: GatewayTool): agentcore.ToolDefinition => ({
  name: tool.name,
  description: tool.description,
  inputSchema: toSchemaDefinition(tool.inputSchema),
});

/**
 * The AgentCore gateway: IAM inbound authorization (SigV4: only principals granted InvokeGateway, i.e. the
 * harness role), one Lambda target per tool function with tool schemas generated from `schemas/*.yaml`, and the
 * knowledge tool. Operations the harness must hand back to the caller (`agent.agentcore.clientSideTools`: every
 * write, or everything) are left out of the targets, so the gateway cannot run them; they become inline functions.
 * Each target allow-lists the `baggage` header, which carries the signed caller identity.
 */
export class KassGateway extends Construct {
  public readonly gateway: agentcore.Gateway;
  public readonly knowledgeFunction: KassFunction;
  /** Target name → target. */
  public readonly targets: ReadonlyMap<string, agentcore.GatewayTarget>;
  public readonly clientSideTools: readonly ClientSideTool[];

  constructor(scope: Construct, id: string, props: KassGatewayProps) {
    super(scope, id);
    const problems: string[] = [];
    if (props.tools.some(({ tool }) => tool.name === KNOWLEDGE_TARGET)) {
      problems.push(
        `schemas/${KNOWLEDGE_TARGET}.yaml: '${KNOWLEDGE_TARGET}' is the knowledge tool's gateway target; rename the file`,
      );
    }

    this.gateway = new agentcore.Gateway(this, 'Gateway', {
      gatewayName: `kass-${props.stage}`,
      description: `KASS tools (${props.stage}): tickets, summaries, code review, knowledge base`,
      authorizerConfiguration: agentcore.GatewayAuthorizer.usingAwsIam(),
      // No semantic tool search: a dozen tools need none, and it is billed per indexed tool.
      protocolConfiguration: new agentcore.McpProtocolConfiguration({
        instructions: 'KASS tools. Identity comes from the caller, never from tool arguments.',
      }),
    });

    const targets = new Map<string, agentcore.GatewayTarget>();
    const clientSide: ClientSideTool[] = [];
    for (const { tool, function: fn } of props.tools) {
      const conversion = toGatewayTools(parseSchemaSource(tool.schemaText, tool.schemaFile));
      for (const f of conversion.findings) problems.push(`${f.file}:${f.line}: [${f.rule}] ${f.message}`);
      const served: GatewayTool[] = [];
      conversion.tools.forEach((converted, i) => {
        const operation = conversion.operations[i];
        if (!operation) return;
        const onClient = props.config.clientSideTools === 'all' || operation.requireConfirmation;
        if (!onClient) {
          served.push(converted);
          return;
        }
        clientSide.push({
          name: gatewayToolNameOf(tool.name, converted.name),
          group: tool.name,
          operationId: converted.name,
          description: converted.description,
          inputSchema: converted.inputSchema,
          requireConfirmation: operation.requireConfirmation,
          function: fn,
        });
      });
      if (served.length > 0) {
        targets.set(tool.name, this.addTarget(tool.name, tool.description, fn.function, served));
      }
      props.identityKey.grantVerify(fn);
    }
    if (problems.length > 0) throw new ConfigError('AgentCore gateway tools', problems);

    this.knowledgeFunction = new KassFunction(this, 'KnowledgeTool', {
      ...props.functionDefaults,
      entry: 'functions/knowledge-tool/handler.ts',
      description: `KASS gateway tool ${KNOWLEDGE_TARGET}___${KNOWLEDGE_TOOL.name}: Retrieve on the knowledge base`,
      serviceName: 'kass-knowledge-tool',
      settings: props.knowledgeSettings,
      environment: KNOWLEDGE_TOOL_ENV.environment({
        knowledgeBaseId: props.knowledgeBase.id,
        vectorStore: props.knowledgeBase.vectorStore,
        guardrailId: props.guardrail.guardrailId,
        guardrailVersion: props.guardrail.guardrailVersion,
      }),
    });
    this.knowledgeFunction.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['bedrock:Retrieve'], resources: [props.knowledgeBase.arn] }),
    );
    this.knowledgeFunction.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['bedrock:ApplyGuardrail'],
        resources: [props.guardrail.guardrailArn],
      }),
    );
    targets.set(
      KNOWLEDGE_TARGET,
      this.addTarget(
        KNOWLEDGE_TARGET,
        'KASS documents (knowledge base search)',
        this.knowledgeFunction.function,
        [KNOWLEDGE_TOOL],
      ),
    );
    this.targets = targets;
    this.clientSideTools = clientSide;
  }

  private addTarget(
    name: string,
    description: string,
    fn: KassFunction['function'],
    tools: readonly GatewayTool[],
  ): agentcore.GatewayTarget {
    const target = this.gateway.addLambdaTarget(`Target-${name}`, {
      gatewayTargetName: name,
      description: description.slice(0, 200),
      lambdaFunction: fn,
      toolSchema: agentcore.ToolSchema.fromInline(tools.map(toToolDefinition)),
    });
    Validations.of(this.gateway.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagResource(this, fn.functionArn)}:*]`,
      reason:
        'The gateway construct lets its role invoke the target Lambda and its versions (<arn>:*); the function is ' +
        'exact, and only this gateway (IAM inbound auth) can make the role call it.',
    });
    // The L2 has no metadata configuration for Lambda targets; the resource has it.
    (target.node.defaultChild as agentcore.CfnGatewayTarget).addPropertyOverride('MetadataConfiguration', {
      AllowedRequestHeaders: [IDENTITY_HEADER],
    });
    return target;
  }
}
