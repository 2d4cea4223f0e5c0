import type * as bedrock from '@aws-cdk/aws-bedrock-alpha';
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { AgentModel, StageConfig } from '../config/stage-config';
import { inferenceProfileFor } from './agent';
import type { Data } from './data';
import type { KassFunction } from './kass-function';
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
      data.tickets.grantReadWriteData(fn.function);
      props.notifications.topic.grantPublish(fn.function);
      Validations.of(fn.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::<DataTickets7C6ABF42.Arn>/index/*]',
        reason:
          'Lists tickets by reporter and by status through the two GSIs of the Tickets table (index/*).',
      });
    }

    if (tools.has('summarize')) {
      const fn = tools.functionOf('summarize');
      const settings = config.tools.summarize;
      fn.function.addEnvironment('CONVERSATIONS_TABLE_NAME', data.conversations.tableName);
      fn.function.addEnvironment('MAX_OUTPUT_TOKENS', String(settings.maxOutputTokens));
      data.conversations.grant(fn.function, 'dynamodb:Query', 'dynamodb:GetItem');
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
    profile.grantInvoke(fn.function);
    guardrail.grantApply(fn.function);
    fn.function.addEnvironment('MODEL_ID', profile.inferenceProfileId);
    fn.function.addEnvironment('GUARDRAIL_ID', guardrail.guardrailId);
    fn.function.addEnvironment('GUARDRAIL_VERSION', guardrail.guardrailVersion);
  }
}
