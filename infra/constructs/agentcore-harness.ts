import { Arn, ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as agentcore from 'aws-cdk-lib/aws-bedrockagentcore';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { GUARDRAIL_HOOK_ENV } from '../../contracts/function-env';
import { HARNESS_LIMITS } from '../config/agentcore-config';
import { ConfigError } from '../config/config-error';
import type { AgentConfig, LambdaSettings } from '../config/stage-config';
import { INSTRUCTION_LIMITS, inferenceProfileFor } from './agent';
import type { ClientSideTool, KassGateway } from './agentcore-gateway';
import { KassFunction, type KassFunctionDefaults } from './kass-function';
import { nagResource } from './nag-ids';
import type { GuardrailRef } from './resource-refs';

/** The name the harness gives the gateway's tool set; `allowedTools` names it as `@kass`. */
export const GATEWAY_TOOLSET = 'kass';

/** The name of the input-guardrail hook. */
export const INPUT_GUARDRAIL_HOOK = 'guardrail-input';

/** Seconds the harness waits for the hook (ApplyGuardrail answers in well under a second). */
const HOOK_TIMEOUT_SECONDS = 10;

/** Harness and endpoint names: a letter, then letters, digits and `_` (40 characters for the harness). */
const harnessNameOf = (stage: string): string => `kass_${stage.replace(/-/g, '_')}`;

export interface KassHarnessProps {
  readonly stage: string;
  readonly config: AgentConfig;
  /** The same instruction the Classic agent gets. */
  readonly instruction: string;
  readonly gateway: KassGateway;
  readonly guardrail: GuardrailRef;
  readonly functionDefaults: KassFunctionDefaults;
  readonly hookSettings: LambdaSettings;
}

/**
 * The AgentCore harness: the Classic agent's model (the same cross-region inference profile) and instruction, the
 * gateway as its tool set (the built-in shell and file tools excluded with `allowedTools`), the operations that
 * must run on the caller's side as inline functions, bounded iterations and time, session memory per config, a
 * `beforeInvocation` hook that applies the numbered guardrail to the input, and a stable endpoint per stage.
 */
export class KassHarness extends Construct {
  public readonly harness: agentcore.CfnHarness;
  public readonly endpoint: agentcore.CfnHarnessEndpoint;
  public readonly role: iam.Role;
  public readonly hookFunction: KassFunction;
  public readonly memory?: agentcore.Memory;
  /** The endpoint's name: the InvokeHarness `qualifier`. */
  public readonly endpointName: string;

  constructor(scope: Construct, id: string, props: KassHarnessProps) {
    super(scope, id);
    const { config, stage } = props;
    const settings = config.agentcore;
    const stack = Stack.of(this);
    const instruction = props.instruction.trim();
    if (instruction.length < INSTRUCTION_LIMITS.min || instruction.length > INSTRUCTION_LIMITS.max) {
      throw new ConfigError('agent.instructionFile', [
        `${config.instructionFile}: the instruction has ${instruction.length} characters; the agent accepts ${INSTRUCTION_LIMITS.min}-${INSTRUCTION_LIMITS.max}`,
      ]);
    }
    if (config.memory.enabled && config.memory.storageDays < HARNESS_LIMITS.memoryDays.min) {
      throw new ConfigError('agent.memory', [
        `agent.memory.storageDays: AgentCore memory keeps events ${HARNESS_LIMITS.memoryDays.min}-${HARNESS_LIMITS.memoryDays.max} days (got ${config.memory.storageDays})`,
      ]);
    }

    const profile = inferenceProfileFor(config.model, config.inferenceGeo);
    const modelArn = Arn.format({
      partition: stack.partition,
      service: 'bedrock',
      region: '*',
      account: '',
      resource: 'foundation-model',
      resourceName: profile.inferenceProfileModel.modelId,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });

    this.role = new iam.Role(this, 'ExecutionRole', {
      description: `Execution role of the KASS harness (${stage})`,
      assumedBy: new iam.ServicePrincipal('bedrock-agentcore.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: {
          'aws:SourceArn': stack.formatArn({ service: 'bedrock-agentcore', resource: '*' }),
        },
      }),
    });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'],
        resources: [profile.inferenceProfileArn, modelArn],
      }),
    );
    Validations.of(this.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagResource(this, modelArn)}]`,
      reason:
        'A cross-region inference profile routes to the model in several regions, so the model ARN has region *; ' +
        'the model id itself is exact.',
    });
    props.gateway.gateway.grantInvoke(this.role);

    this.hookFunction = new KassFunction(this, 'GuardrailHook', {
      ...props.functionDefaults,
      entry: 'functions/guardrail-hook/handler.ts',
      description: 'KASS harness beforeInvocation hook: the numbered guardrail on the user input',
      serviceName: 'kass-guardrail-hook',
      settings: props.hookSettings,
      environment: GUARDRAIL_HOOK_ENV.environment({
        guardrailId: props.guardrail.guardrailId,
        guardrailVersion: props.guardrail.guardrailVersion,
      }),
    });
    this.hookFunction.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['bedrock:ApplyGuardrail'],
        resources: [props.guardrail.guardrailArn],
      }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: [this.hookFunction.function.functionArn],
      }),
    );

    if (config.memory.enabled) {
      this.memory = new agentcore.Memory(this, 'Memory', {
        memoryName: `${harnessNameOf(stage)}_memory`,
        description: `KASS conversation memory (${stage})`,
        expirationDuration: Duration.days(Math.min(config.memory.storageDays, HARNESS_LIMITS.memoryDays.max)),
        memoryStrategies: [agentcore.MemoryStrategy.usingBuiltInSummarization()],
      });
      this.memory.grantRead(this.role);
      this.memory.grantWrite(this.role);
    }

    const tools: agentcore.CfnHarness.HarnessToolProperty[] = [
      {
        type: 'agentcore_gateway',
        name: GATEWAY_TOOLSET,
        config: {
          agentCoreGateway: { gatewayArn: props.gateway.gateway.gatewayArn, outboundAuth: { awsIam: {} } },
        },
      },
      ...props.gateway.clientSideTools.map((tool: ClientSideTool) => ({
        type: 'inline_function',
        name: tool.name,
        config: { inlineFunction: { description: tool.description, inputSchema: tool.inputSchema } },
      })),
    ];

    this.harness = new agentcore.CfnHarness(this, 'Harness', {
      harnessName: harnessNameOf(stage),
      executionRoleArn: this.role.roleArn,
      model: {
        bedrockModelConfig: { modelId: profile.inferenceProfileId, maxTokens: settings.maxTokens },
      },
      systemPrompt: [{ text: instruction }],
      tools,
      // Only KASS's tools: the built-in shell and file tools (and their ~900 tokens per call) stay out.
      allowedTools: [`@${GATEWAY_TOOLSET}`, ...props.gateway.clientSideTools.map((t) => t.name)],
      maxIterations: settings.maxIterations,
      maxTokens: settings.maxTokens,
      timeoutSeconds: settings.timeoutSeconds,
      memory: this.memory
        ? { agentCoreMemoryConfiguration: { arn: this.memory.memoryArn } }
        : { disabled: {} },
      hooks: [
        {
          beforeInvocation: {
            name: INPUT_GUARDRAIL_HOOK,
            // failureMode defaults to deny: an unreachable hook stops the invocation.
            target: {
              lambda: { arn: this.hookFunction.function.functionArn, timeoutSeconds: HOOK_TIMEOUT_SECONDS },
            },
          },
        },
      ],
      environment: {
        agentCoreRuntimeEnvironment: {
          lifecycleConfiguration: { idleRuntimeSessionTimeout: config.idleSessionTtlMinutes * 60 },
        },
      },
    });
    this.harness.node.addDependency(this.role);

    this.endpointName = harnessNameOf(stage);
    this.endpoint = new agentcore.CfnHarnessEndpoint(this, 'Endpoint', {
      endpointName: this.endpointName,
      harnessId: this.harness.attrHarnessId,
      // Every deploy moves the stage's endpoint to the version it created.
      targetVersion: this.harness.attrVersion,
      description: `KASS ${stage}: the endpoint apps and the chat API invoke`,
    });

    this.grantRuntimeTelemetry();
    // cfn-lint 1.51 predates the harness resource types; CloudFormation knows them.
    for (const resource of [this.harness, this.endpoint]) {
      resource.addMetadata('cfn-lint', { config: { ignore_checks: ['E3006'] } });
    }
  }

  /** Logs, traces and metrics of the harness runtime (the log group is named after the runtime it creates). */
  private grantRuntimeTelemetry(): void {
    const stack = Stack.of(this);
    const runtimeId = this.harness.attrEnvironmentAgentCoreRuntimeEnvironmentAgentRuntimeId;
    const logGroups = stack.formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: `/aws/bedrock-agentcore/runtimes/${runtimeId}-*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    // A policy of its own: it names the runtime the harness creates, so it comes after the harness, while the
    // role's default policy (model, gateway, hook) comes before it.
    const telemetry = new iam.Policy(this, 'RuntimeTelemetry', {
      roles: [this.role],
      statements: [
        new iam.PolicyStatement({
          actions: [
            'logs:CreateLogGroup',
            'logs:CreateLogStream',
            'logs:PutLogEvents',
            'logs:DescribeLogStreams',
          ],
          resources: [logGroups, `${logGroups}:log-stream:*`],
        }),
        new iam.PolicyStatement({
          actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          actions: ['cloudwatch:PutMetricData'],
          resources: ['*'],
          conditions: { StringEquals: { 'cloudwatch:namespace': 'bedrock-agentcore' } },
        }),
      ],
    });
    Validations.of(telemetry).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'xray:PutTraceSegments/PutTelemetryRecords and cloudwatch:PutMetricData have no resource-level permissions; ' +
          'the metric statement is limited to the bedrock-agentcore namespace by condition.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::${nagResource(this, logGroups)}]`,
        reason:
          'The harness runtime names its log groups /aws/bedrock-agentcore/runtimes/<runtimeId>-<endpoint>; the ' +
          'runtime id is exact, only the endpoint suffix is matched.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::${nagResource(this, `${logGroups}:log-stream:*`)}]`,
        reason: 'Log streams are created per session inside the harness runtime log groups above.',
      },
    );
  }
}
