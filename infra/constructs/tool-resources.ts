import type * as bedrock from '@aws-cdk/aws-bedrock-alpha';
import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { AgentModel, StageConfig } from '../config/stage-config';
import { inferenceProfileFor } from './agent';
import { type Data, TABLE_KEYS } from './data';
import type { KassFunction } from './kass-function';
import { nagResource } from './nag-ids';
import type { Notifications } from './notifications';
import type { Tools } from './tools';

export interface ToolResourcesProps {
  readonly config: StageConfig;
  readonly tools: Tools;
  readonly data: Data;
  readonly notifications: Notifications;
  /** The guardrail (numbered version) applied to the tools' own model calls. */
  readonly guardrail: bedrock.IGuardrail;
}

/**
 * What the three built-in tools need beyond their Lambda: the environment they read and least-privilege
 * grants on the tables, topic, secret, model and guardrail. A tool added later needs no entry here unless it
 * uses such a resource.
 */
export class ToolResources extends Construct {
  /** Secrets Manager secret holding the GitLab token (the operator puts the value; see README). */
  public readonly gitlabToken?: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: ToolResourcesProps) {
    super(scope, id);
    const { config, tools, data } = props;

    if (tools.has('report')) {
      const fn = tools.functionOf('report');
      fn.function.addEnvironment('TICKETS_TABLE_NAME', data.tickets.tableName);
      fn.function.addEnvironment('NOTIFICATIONS_TOPIC_ARN', props.notifications.topic.topicArn);
      // The operator fallback exists for the Classic console test chat. On AgentCore a call without identity is
      // a chat API turn whose signed identity did not arrive: it must be refused, never run as an operator.
      fn.function.addEnvironment(
        'UNIDENTIFIED_TOOL_CALLS',
        config.agent.engine === 'agentcore' ? 'refuse' : config.tools.unidentifiedCalls,
      );
      // Named indexes instead of grantReadWriteData's `index/*`: the tool queries exactly these two (Scan
      // serves operators' unfiltered lists only; the code never scans for anyone else).
      const keys = TABLE_KEYS.tickets;
      fn.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Scan'],
          resources: [data.tickets.tableArn],
        }),
      );
      fn.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['dynamodb:Query'],
          resources: [
            `${data.tickets.tableArn}/index/${keys.ownerIndex}`,
            `${data.tickets.tableArn}/index/${keys.statusIndex}`,
          ],
        }),
      );
      props.notifications.topic.grantPublish(fn.function);
    }

    if (tools.has('summarize')) {
      const fn = tools.functionOf('summarize');
      const settings = config.tools.summarize;
      fn.function.addEnvironment('CONVERSATIONS_TABLE_NAME', data.conversations.tableName);
      fn.function.addEnvironment('MAX_OUTPUT_TOKENS', String(settings.maxOutputTokens));
      // Reads one conversation's messages by key; no index access.
      fn.role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['dynamodb:Query'], resources: [data.conversations.tableArn] }),
      );
      this.grantModel(fn, settings.model, config, props.guardrail);
    }

    if (tools.has('code-review')) {
      const fn = tools.functionOf('code-review');
      const settings = config.tools.codeReview;
      this.gitlabToken = new secretsmanager.Secret(this, 'GitLabToken', {
        secretName: settings.tokenSecretName,
        description:
          'GitLab access token for the KASS code-review tool (read_api; api only if posting notes).',
        removalPolicy: config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
        // An empty `token` reads as "not configured" (a clear message, no GitLab call) until the operator
        // stores the real one: aws secretsmanager put-secret-value --secret-id <name> --secret-string '{"token":"glpat-…"}'
        generateSecretString: { secretStringTemplate: '{"token":""}', generateStringKey: 'placeholder' },
      });
      Validations.of(this.gitlabToken).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'GitLab tokens are rotated in GitLab (max lifetime 365 days) and then stored here; the README runbook covers it.',
      });
      this.gitlabToken.grantRead(fn.function);
      fn.function.addEnvironment('GITLAB_BASE_URL', settings.gitlabBaseUrl);
      fn.function.addEnvironment('GITLAB_PROJECT_ALLOWLIST', settings.projectAllowlist.join(','));
      fn.function.addEnvironment('GITLAB_TOKEN_SECRET_ARN', this.gitlabToken.secretArn);
      fn.function.addEnvironment('MAX_DIFF_CHARS', String(settings.maxDiffChars));
      this.grantModel(fn, settings.model, config, props.guardrail);
    }
  }

  /** Lets a tool call its configured model through the cross-region profile, with the guardrail applied. */
  private grantModel(
    fn: KassFunction,
    model: AgentModel,
    config: StageConfig,
    guardrail: bedrock.IGuardrail,
  ): void {
    const profile = inferenceProfileFor(model, config.agent.inferenceGeo);
    // Converse needs bedrock:InvokeModel on the profile and on the model in every region the profile routes to.
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
    guardrail.grantApply(fn.function);
    fn.function.addEnvironment('MODEL_ID', profile.inferenceProfileId);
    fn.function.addEnvironment('GUARDRAIL_ID', guardrail.guardrailId);
    fn.function.addEnvironment('GUARDRAIL_VERSION', guardrail.guardrailVersion);
  }
}
