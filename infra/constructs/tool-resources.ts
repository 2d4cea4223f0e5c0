import type * as bedrock from '@aws-cdk/aws-bedrock-alpha';
import { CfnOutput, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { TableName } from '../../contracts/tables';
import type { AnyToolNeeds, SecretNeed, ToolVarSource, TopicName } from '../../contracts/tool-needs';
import { toolEnvironmentOutputOf, toolVarOutputOf } from '../../contracts/tool-outputs';
import { ConfigError } from '../config/config-error';
import type { AgentModel, StageConfig } from '../config/stage-config';
import { inferenceProfileFor } from './agent';
import type { KassFunction } from './kass-function';
import { nagResource } from './nag-ids';
import { needsFileOf } from './tool-discovery';
import type { Tools } from './tools';

export interface ToolResourcesProps {
  readonly config: StageConfig;
  readonly tools: Tools;
  /** The stack's tables a descriptor may name (`tables` sources). */
  readonly tables: Readonly<Partial<Record<TableName, dynamodb.ITable>>>;
  /** The stack's topics a descriptor may name (`topic` sources). */
  readonly topics: Readonly<Record<TopicName, sns.ITopic>>;
  /** The guardrail (numbered version) applied to the tools' own model calls. */
  readonly guardrail: bedrock.IGuardrail;
}

/** A tool's section of the stage config: `tools.<settings>` (e.g. `tools.summarize`). */
type Settings = Readonly<Record<string, unknown>>;

/** Where one tool is being wired: its Lambda, its descriptor and the settings its sources read. */
interface Wiring {
  readonly tool: string;
  readonly fn: KassFunction;
  readonly settings: Settings;
  /** Models already granted (a model's three variables share one grant). */
  readonly models: Set<string>;
}

/**
 * What each tool needs beyond its Lambda, read from its descriptor (`action-groups/<tool>/needs.ts`): every
 * variable it reads, set from where the descriptor says (a table's name, a topic's or secret's ARN, the model's
 * inference profile, a setting of `tools.<section>`), and exactly the permissions those sources carry. No tool
 * is named here: a tool added, renamed or removed changes nothing in this file.
 */
export class ToolResources extends Construct {
  /** The secrets created for the tools (the operator puts their values; see README), by construct id. */
  public readonly secrets = new Map<string, secretsmanager.Secret>();

  constructor(
    scope: Construct,
    id: string,
    private readonly props: ToolResourcesProps,
  ) {
    super(scope, id);
    const problems: string[] = [];
    for (const tool of props.tools.tools) {
      if (!tool.needs) continue;
      const settings = this.settingsOf(tool.name, tool.needs, problems);
      const wiring: Wiring = {
        tool: tool.name,
        fn: props.tools.functionOf(tool.name),
        settings,
        models: new Set(),
      };
      // The tool's own values (settings, model, secret) also go to an output, for `kass tool --stage`.
      const published: Record<string, string> = {};
      for (const variable of Object.values(tool.needs.variables)) {
        const value = this.wire(wiring, variable.source, problems);
        if (value === undefined) continue;
        wiring.fn.function.addEnvironment(variable.name, variable.format(value));
        if (toolVarOutputOf(variable.source).kind === 'tool-environment') {
          published[variable.name] = variable.format(value);
        }
      }
      if (Object.keys(published).length > 0) {
        const stack = Stack.of(this);
        new CfnOutput(stack, toolEnvironmentOutputOf(tool.name), {
          value: stack.toJsonString(published),
          description: `Environment of tool ${tool.name} not in other outputs (kass tool --stage reads it)`,
        });
      }
    }
    if (problems.length > 0) throw new ConfigError('tool descriptors', problems);
  }

  /** The tool's config section (`tools.<needs.settings>`), or a problem naming the descriptor. */
  private settingsOf(tool: string, needs: AnyToolNeeds, problems: string[]): Settings {
    if (!needs.settings) return {};
    const section = (this.props.config.tools as Readonly<Record<string, unknown>>)[needs.settings];
    if (typeof section === 'object' && section !== null) return section as Settings;
    problems.push(
      `${needsFileOf(tool)}: settings '${needs.settings}' is not a section of tools in the stage config`,
    );
    return {};
  }

  /** Grants what `source` carries and returns the variable's value (before formatting); undefined: set elsewhere. */
  private wire(wiring: Wiring, source: ToolVarSource, problems: string[]): unknown {
    switch (source.kind) {
      case 'house':
        return undefined;
      case 'table':
        return this.grantTable(wiring, source, problems);
      case 'topic':
        this.props.topics[source.topic].grantPublish(wiring.fn.function);
        return this.props.topics[source.topic].topicArn;
      case 'secret':
        return this.grantSecret(wiring, source.secret);
      case 'model':
        return this.grantModel(wiring, source, problems);
      case 'setting':
        return this.setting(wiring, source.setting, problems);
      case 'unidentified-calls':
        // The operator fallback exists for the Classic console test chat. On AgentCore a call without identity
        // is a chat API turn whose signed identity did not arrive: it must be refused, never run as an operator.
        return this.props.config.agent.engine === 'agentcore'
          ? 'refuse'
          : this.props.config.tools.unidentifiedCalls;
    }
  }

  /** Exactly the descriptor's actions on the table, and Query on each named index (never `index/*`). */
  private grantTable(
    wiring: Wiring,
    source: Extract<ToolVarSource, { kind: 'table' }>,
    problems: string[],
  ): string | undefined {
    const table = this.props.tables[source.table];
    if (!table) {
      problems.push(`${needsFileOf(wiring.tool)}: the stack has no table '${source.table}' for a tool`);
      return undefined;
    }
    wiring.fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: [...source.actions], resources: [table.tableArn] }),
    );
    if (source.queryIndexes && source.queryIndexes.length > 0) {
      wiring.fn.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['dynamodb:Query'],
          resources: source.queryIndexes.map((index) => `${table.tableArn}/index/${index}`),
        }),
      );
    }
    return table.tableName;
  }

  /** The secret (created once, named by the tool's setting when it has one), readable by the tool. */
  private grantSecret(wiring: Wiring, need: SecretNeed): string {
    let secret = this.secrets.get(need.id);
    if (!secret) {
      const name = need.nameSetting ? wiring.settings[need.nameSetting] : undefined;
      secret = new secretsmanager.Secret(this, need.id, {
        ...(typeof name === 'string' ? { secretName: name } : {}),
        description: need.description,
        removalPolicy: this.props.config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
        // A random key nobody reads, so CloudFormation creates the secret with the descriptor's first value.
        generateSecretString: { secretStringTemplate: need.initialValue, generateStringKey: 'placeholder' },
      });
      Validations.of(secret).acknowledge({ id: 'AwsSolutions-SMG4', reason: need.rotation });
      this.secrets.set(need.id, secret);
    }
    secret.grantRead(wiring.fn.function);
    return secret.secretArn;
  }

  /**
   * The model named by the tool's setting, through the cross-region inference profile, with the guardrail
   * applied (granted once per model), and the part of it the variable holds.
   */
  private grantModel(
    wiring: Wiring,
    source: Extract<ToolVarSource, { kind: 'model' }>,
    problems: string[],
  ): string | undefined {
    const model = this.setting(wiring, source.setting, problems) as AgentModel | undefined;
    if (!model) return undefined;
    const profile = inferenceProfileFor(model, this.props.config.agent.inferenceGeo);
    if (!wiring.models.has(source.setting)) {
      wiring.models.add(source.setting);
      this.grantInvokeModel(wiring.fn, profile);
    }
    const { guardrail } = this.props;
    if (source.part === 'modelId') return profile.inferenceProfileId;
    return source.part === 'guardrailId' ? guardrail.guardrailId : guardrail.guardrailVersion;
  }

  /** Converse needs bedrock:InvokeModel on the profile and on the model in every region the profile routes to. */
  private grantInvokeModel(fn: KassFunction, profile: ReturnType<typeof inferenceProfileFor>): void {
    const modelArn = Stack.of(this).formatArn({
      service: 'bedrock',
      region: '*',
      account: '',
      resource: 'foundation-model',
      resourceName: profile.inferenceProfileModel.modelId,
    });
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['bedrock:InvokeModel'],
        resources: [profile.inferenceProfileArn, modelArn],
      }),
    );
    Validations.of(fn.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagResource(this, modelArn)}]`,
      reason:
        'A cross-region inference profile routes to the model in several regions, so the model ARN has region *; ' +
        'the model id itself is exact.',
    });
    this.props.guardrail.grantApply(fn.function);
  }

  /** A value of the tool's config section, or a problem naming the descriptor and the setting. */
  private setting(wiring: Wiring, name: string, problems: string[]): unknown {
    const value = wiring.settings[name];
    if (value === undefined) {
      problems.push(`${needsFileOf(wiring.tool)}: the tool's settings have no '${name}'`);
    }
    return value;
  }
}
