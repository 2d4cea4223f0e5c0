import * as fs from 'node:fs';
import * as path from 'node:path';
import { CfnOutput, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { GuardrailPolicy } from '../config/guardrail-policy';
import type { StageConfig } from '../config/stage-config';
import { KassAgent } from '../constructs/agent';
import { Data } from '../constructs/data';
import { DocumentsBucket } from '../constructs/documents-bucket';
import { KassGuardrail } from '../constructs/guardrail';
import { Ingestion } from '../constructs/ingestion';
import { REPO_ROOT } from '../constructs/kass-function';
import { KnowledgeBase } from '../constructs/knowledge-base';
import { Notifications } from '../constructs/notifications';
import type { DiscoveredTool } from '../constructs/tool-discovery';
import { ToolResources } from '../constructs/tool-resources';
import { Tools } from '../constructs/tools';

export interface KassStackProps extends StackProps {
  readonly config: StageConfig;
  readonly tools: readonly DiscoveredTool[];
  readonly guardrailPolicy: GuardrailPolicy;
}

/** Composition only: wires the domain constructs together and publishes the outputs the CLI reads. */
export class KassStack extends Stack {
  public readonly agent: KassAgent;
  public readonly guardrail: KassGuardrail;
  public readonly tools: Tools;
  public readonly data: Data;
  public readonly knowledge: KnowledgeBase;

  constructor(scope: Construct, id: string, props: KassStackProps) {
    super(scope, id, props);
    const { config } = props;
    for (const [key, value] of Object.entries(config.tags)) Tags.of(this).add(key, value);

    // Guardrail names are unique per account and region: the stage keeps dev and prod apart.
    this.guardrail = new KassGuardrail(this, 'Guardrail', {
      policy: props.guardrailPolicy,
      guardrailName: `${props.guardrailPolicy.name}-${config.stage}`,
    });
    this.data = new Data(this, 'Data', { retainData: config.retainData });
    const notifications = new Notifications(this, 'Notifications', {
      emails: config.tools.report.notificationEmails,
      webhooks: config.tools.report.notificationWebhooks,
    });
    this.tools = new Tools(this, 'Tools', { tools: props.tools, config, toolLogs: this.data.toolLogs });
    new ToolResources(this, 'ToolResources', {
      config,
      tools: this.tools,
      data: this.data,
      notifications,
      guardrail: this.guardrail.guardrail,
    });

    const documents = new DocumentsBucket(this, 'Documents', { retainData: config.retainData });
    this.knowledge = new KnowledgeBase(this, 'Knowledge', {
      stage: config.stage,
      config: config.knowledgeBase,
      documentsBucket: documents.bucket,
      documentsPrefix: documents.documentsPrefix,
    });
    const ingestion = new Ingestion(this, 'Ingestion', {
      documentsBucket: documents.bucket,
      documentsPrefix: documents.documentsPrefix,
      knowledgeBase: this.knowledge,
      config: config.knowledgeBase.ingestion,
      function: {
        settings: config.lambda.defaults,
        logLevel: config.lambda.logLevel,
        logRetentionDays: config.logRetentionDays,
        retainLogs: config.retainData,
      },
    });

    const instruction = fs.readFileSync(path.join(REPO_ROOT, config.agent.instructionFile), 'utf8');
    this.agent = new KassAgent(this, 'Agent', {
      stage: config.stage,
      config: config.agent,
      instruction,
      tools: props.tools.map((tool) => ({ tool, function: this.tools.functionOf(tool.name) })),
      guardrail: this.guardrail.guardrail,
      knowledgeBase: {
        id: this.knowledge.knowledgeBaseId,
        arn: this.knowledge.knowledgeBaseArn,
        description:
          'KASS documents: runbooks, policies, service catalogue and team notes. Use it for questions about ' +
          'internal systems, procedures and documents; cite what you used.',
      },
      versionInputs: [this.guardrail.policyHash],
    });

    new CfnOutput(this, 'AgentId', { value: this.agent.agent.agentId, description: 'Bedrock agent id' });
    new CfnOutput(this, 'AgentAliasId', {
      value: this.agent.alias.aliasId,
      description: 'Agent alias for apps',
    });
    new CfnOutput(this, 'AgentArn', { value: this.agent.agent.agentArn });
    new CfnOutput(this, 'GuardrailId', { value: this.guardrail.guardrail.guardrailId });
    new CfnOutput(this, 'GuardrailVersion', { value: this.guardrail.versionNumber });
    new CfnOutput(this, 'DocumentsBucketName', { value: documents.bucket.bucketName });
    new CfnOutput(this, 'KnowledgeBaseId', { value: this.knowledge.knowledgeBaseId });
    new CfnOutput(this, 'DataSourceId', { value: this.knowledge.dataSourceId });
    new CfnOutput(this, 'IngestionQueueUrl', { value: ingestion.queue.queueUrl });
    new CfnOutput(this, 'TicketsTableName', { value: this.data.tickets.tableName });
    new CfnOutput(this, 'ConversationsTableName', { value: this.data.conversations.tableName });
    new CfnOutput(this, 'ToolLogsTableName', { value: this.data.toolLogs.tableName });
    new CfnOutput(this, 'NotificationsTopicArn', { value: notifications.topic.topicArn });
  }
}
