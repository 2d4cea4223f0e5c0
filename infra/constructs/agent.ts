import { createHash } from 'node:crypto';
import * as bedrock from '@aws-cdk/aws-bedrock-alpha';
import { Annotations, Arn, ArnFormat, Aws, Duration, Lazy, Stack, Validations } from 'aws-cdk-lib';
import type { CfnAgent } from 'aws-cdk-lib/aws-bedrock';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { withoutKassExtensions } from '../../action-groups/kit/openapi/document';
import { type AgentConfig, type AgentModel, LEGACY_MODELS } from '../config/stage-config';
import type { KassFunction } from './kass-function';
import { nagResource } from './nag-ids';
import type { DiscoveredTool } from './tool-discovery';

/** The Bedrock agent's instruction limit (API model: 40–4000 characters). */
export const INSTRUCTION_LIMITS = { min: 40, max: 4000 } as const;

const FOUNDATION_MODELS: Record<AgentModel, bedrock.BedrockFoundationModel> = {
  'claude-sonnet-4-5': bedrock.BedrockFoundationModel.ANTHROPIC_CLAUDE_SONNET_4_5_V1_0,
  'claude-sonnet-4-6': bedrock.BedrockFoundationModel.ANTHROPIC_CLAUDE_SONNET_4_6,
  'claude-haiku-4-5': bedrock.BedrockFoundationModel.ANTHROPIC_CLAUDE_HAIKU_4_5_V1_0,
  'claude-3-5-sonnet-v2': bedrock.BedrockFoundationModel.ANTHROPIC_CLAUDE_3_5_SONNET_V2_0,
};

const GEOS: Record<AgentConfig['inferenceGeo'], bedrock.CrossRegionInferenceProfileRegion> = {
  us: bedrock.CrossRegionInferenceProfileRegion.US,
  eu: bedrock.CrossRegionInferenceProfileRegion.EU,
  apac: bedrock.CrossRegionInferenceProfileRegion.APAC,
  global: bedrock.CrossRegionInferenceProfileRegion.GLOBAL,
};

/** The cross-region inference profile for a configured model (ids like `us.anthropic.claude-…`). */
export function inferenceProfileFor(model: AgentModel, geo: AgentConfig['inferenceGeo']) {
  return bedrock.CrossRegionInferenceProfile.fromConfig({
    geoRegion: GEOS[geo],
    model: FOUNDATION_MODELS[model],
  });
}

/** The model ARN in every region a cross-region profile routes to (as the alpha grants it). */
function allRegionsModelArn(profile: bedrock.CrossRegionInferenceProfile): string {
  return Arn.format({
    partition: Aws.PARTITION,
    service: 'bedrock',
    region: '*',
    account: '',
    resource: 'foundation-model',
    resourceName: profile.inferenceProfileModel.modelId,
    arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  });
}

/** A tool as the agent sees it: its discovered schema and the Lambda that runs it. */
export interface AgentTool {
  readonly tool: DiscoveredTool;
  readonly function: KassFunction;
}

export interface KassAgentProps {
  readonly stage: string;
  readonly config: AgentConfig;
  /** Instruction text (read from `config.instructionFile` by the caller). */
  readonly instruction: string;
  readonly tools: readonly AgentTool[];
  /** A guardrail whose `guardrailVersion` is the numbered version to attach. */
  readonly guardrail: bedrock.IGuardrail;
  /** The knowledge base the agent consults, and when (the description is what the model reads). */
  readonly knowledgeBase?: { readonly id: string; readonly arn: string; readonly description: string };
  /** Extra inputs that change the agent's behaviour (e.g. the guardrail policy hash): a change rolls the alias. */
  readonly versionInputs?: readonly string[];
}

/**
 * The Bedrock agent: model, instruction, one action group per tool (Lambda executor, inline schema),
 * user input, guardrail, and an alias per stage that moves to a new agent version whenever any input changes.
 */
export class KassAgent extends Construct {
  public readonly agent: bedrock.Agent;
  public readonly alias: bedrock.AgentAlias;
  /**
   * Hash of everything that shapes the agent (settings, schemas, and the ids of the knowledge base, tool
   * functions and guardrail version it names); a change rolls the alias to a new version. A token: resolve it
   * with `Stack.of(agent).resolve(...)`.
   */
  public readonly configurationHash: string;

  constructor(scope: Construct, id: string, props: KassAgentProps) {
    super(scope, id);
    const { config } = props;
    const instruction = props.instruction.trim();
    if (instruction.length < INSTRUCTION_LIMITS.min || instruction.length > INSTRUCTION_LIMITS.max) {
      throw new Error(
        `agent.instructionFile (${config.instructionFile}): the instruction has ${instruction.length} characters; ` +
          `Bedrock accepts ${INSTRUCTION_LIMITS.min}-${INSTRUCTION_LIMITS.max}`,
      );
    }
    if (LEGACY_MODELS.includes(config.model)) {
      Annotations.of(this).addWarningV2(
        'kass:legacy-model',
        `agent.model '${config.model}' is a Legacy model on Bedrock: closed to new customers and may lose access.`,
      );
    }

    const model = inferenceProfileFor(config.model, config.inferenceGeo);
    this.agent = new bedrock.Agent(this, 'Agent', {
      agentName: `kass-${props.stage}`,
      description: `KASS assistant (${props.stage}): knowledge base, tickets, summaries, code review`,
      instruction,
      foundationModel: model,
      idleSessionTTL: Duration.minutes(config.idleSessionTtlMinutes),
      // Prepare on every deploy so the DRAFT (console test chat, TSTALIASID) is ready at once.
      shouldPrepareAgent: true,
      userInputEnabled: true,
      guardrail: props.guardrail,
      ...(config.memory.enabled
        ? {
            memory: bedrock.Memory.sessionSummary({
              memoryDuration: Duration.days(config.memory.storageDays),
              maxRecentSessions: config.memory.maxRecentSessions,
            }),
          }
        : {}),
    });

    // Added after construction: only then does the alpha scope each Lambda permission to this agent's ARN.
    for (const { tool, function: fn } of props.tools) {
      this.agent.addActionGroup(
        new bedrock.AgentActionGroup({
          name: tool.name,
          description: tool.description,
          // The agent gets the schema without KASS-only extensions; the Lambda validates with the full text.
          apiSchema: bedrock.ApiSchema.fromInline(withoutKassExtensions(tool.schemaText)),
          executor:
            config.toolExecution === 'return-control'
              ? bedrock.ActionGroupExecutor.RETURN_CONTROL
              : bedrock.ActionGroupExecutor.fromLambda(fn.function),
        }),
      );
    }

    if (props.knowledgeBase) this.associateKnowledgeBase(props.knowledgeBase);

    // Everything that shapes a version. An agent version snapshots the resources it names, so the hash covers
    // their deploy-time identity too: a knowledge base, tool function or guardrail that CloudFormation replaces
    // (a new logical id, e.g. a new vector-store generation) gets a new id or ARN, and the alias must move to a
    // version that names it. Resolved at synth, when every logical id is final.
    const settings = {
      instruction,
      model: model.inferenceProfileId,
      idle: config.idleSessionTtlMinutes,
      memory: config.memory,
      toolExecution: config.toolExecution,
      knowledgeBase: props.knowledgeBase?.description ?? null,
      tools: props.tools.map(({ tool }) => [tool.name, tool.description, tool.schemaText]),
      extra: props.versionInputs ?? [],
    };
    this.configurationHash = Lazy.string({
      produce: () => {
        const identity = Stack.of(this).resolve({
          knowledgeBaseId: props.knowledgeBase?.id ?? null,
          toolFunctions: props.tools.map(({ tool, function: fn }) => [tool.name, fn.function.functionArn]),
          guardrail: [props.guardrail.guardrailId, props.guardrail.guardrailVersion],
        });
        return createHash('sha256').update(JSON.stringify({ settings, identity })).digest('hex').slice(0, 12);
      },
    });

    // An alias without a pinned version snapshots the prepared DRAFT; a new description makes CloudFormation
    // update it, which creates the next version. So every change above rolls the alias forward on deploy.
    this.alias = new bedrock.AgentAlias(this, 'Alias', {
      agent: this.agent,
      agentAliasName: props.stage,
      description: `KASS ${props.stage} agent, configuration ${this.configurationHash}`,
    });

    this.acknowledgeAlphaFindings(model, props.tools);
  }

  /** The alpha Agent has no knowledge-base prop: associate through the L1 and grant retrieval on that KB only. */
  private associateKnowledgeBase(kb: NonNullable<KassAgentProps['knowledgeBase']>): void {
    const cfnAgent = this.agent.node.defaultChild as CfnAgent;
    cfnAgent.addPropertyOverride('KnowledgeBases', [
      { KnowledgeBaseId: kb.id, Description: kb.description, KnowledgeBaseState: 'ENABLED' },
    ]);
    this.agent.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['bedrock:Retrieve'], resources: [kb.arn] }),
    );
  }

  /** Findings inside the alpha Agent's own role policy that no prop can avoid: each named exactly. */
  private acknowledgeAlphaFindings(
    model: bedrock.CrossRegionInferenceProfile,
    tools: readonly AgentTool[],
  ): void {
    const role = Validations.of(this.agent.role);
    role.acknowledge({
      id: 'AwsSolutions-IAM5[Action::bedrock:InvokeModel*]',
      reason:
        'The alpha Agent grants InvokeModel and InvokeModelWithResponseStream (streamed final responses) as InvokeModel*; ' +
        'the resources are the exact profile and model ARNs.',
    });
    role.acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagResource(this, allRegionsModelArn(model))}]`,
      reason:
        'A cross-region inference profile routes to the model in several regions, so the alpha grants the model ARN ' +
        'with region *; the model id itself is exact.',
    });
    for (const { function: fn } of tools) {
      role.acknowledge({
        id: `AwsSolutions-IAM5[Resource::${nagResource(this, fn.function.functionArn)}:*]`,
        reason:
          'The alpha Agent lets its role invoke any version of the tool Lambda (<arn>:*); Bedrock calls the function ' +
          'through its resource policy, which is scoped to this agent.',
      });
    }
  }
}
