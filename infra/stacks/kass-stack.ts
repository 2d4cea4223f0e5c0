import * as fs from 'node:fs';
import * as path from 'node:path';
import { Aws, CfnOutput, Fn, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { VECTOR_STORE_OUTPUT } from '../../contracts/vector-stores';
import { enabledDiscord } from '../config/discord-config';
import type { GuardrailPolicy } from '../config/guardrail-policy';
import type { StageConfig } from '../config/stage-config';
import { KassAgent } from '../constructs/agent';
import { type AgentEndpoint, clientToolsJson } from '../constructs/chat/agent-endpoint';
import { ChatData } from '../constructs/chat-data';
import { Data } from '../constructs/data';
import { DiscordBot } from '../constructs/discord';
import { DocumentsBucket } from '../constructs/documents-bucket';
import { KassGuardrail } from '../constructs/guardrail';
import { Ingestion } from '../constructs/ingestion';
import { REPO_ROOT } from '../constructs/kass-function';
import { KnowledgeBase } from '../constructs/knowledge-base';
import { Notifications } from '../constructs/notifications';
import { Observability } from '../constructs/observability';
import type { DiscoveredTool } from '../constructs/tool-discovery';
import { ToolResources } from '../constructs/tool-resources';
import { Tools } from '../constructs/tools';
import { WebHosting, webPageConfig } from '../constructs/web-hosting';
import { type AgentCoreEngine, composeAgentCore } from './agentcore-composition';
import { composeChatApis } from './chat-composition';
import { composeOperations, stageFoundations } from './operations-composition';

export interface KassStackProps extends StackProps {
  readonly config: StageConfig;
  readonly tools: readonly DiscoveredTool[];
  readonly guardrailPolicy: GuardrailPolicy;
}

/** Composition only: wires the domain constructs together and publishes the outputs the CLI reads. */
export class KassStack extends Stack {
  /** The Classic agent (engine `classic`). */
  public readonly agent?: KassAgent;
  /** The AgentCore gateway and harness (engine `agentcore`). */
  public readonly agentCore?: AgentCoreEngine;
  public readonly guardrail: KassGuardrail;
  public readonly tools: Tools;
  public readonly data: Data;
  public readonly knowledge: KnowledgeBase;

  constructor(scope: Construct, id: string, props: KassStackProps) {
    super(scope, id, props);
    const { config } = props;
    for (const [key, value] of Object.entries(config.tags)) Tags.of(this).add(key, value);
    // The stage key and the VPC first: every function and data resource created below finds them.
    const foundations = stageFoundations(this, config);

    // Guardrail names are unique per account and region: the stage keeps dev and prod apart.
    const observability = new Observability(this, 'Observability', {
      emails: config.alarms.emails,
      retainData: config.retainData,
    });

    this.guardrail = new KassGuardrail(this, 'Guardrail', {
      policy: props.guardrailPolicy,
      guardrailName: `${props.guardrailPolicy.name}-${config.stage}`,
    });
    this.data = new Data(this, 'Data', { retainData: config.retainData });
    const notifications = new Notifications(this, 'Notifications', {
      emails: config.tools.report.notificationEmails,
      webhooks: config.tools.report.notificationWebhooks,
    });
    this.tools = new Tools(this, 'Tools', {
      tools: props.tools,
      config,
      toolLogs: this.data.toolLogs,
    });
    new ToolResources(this, 'ToolResources', {
      config,
      tools: this.tools,
      tables: {
        tickets: this.data.tickets,
        conversations: this.data.conversations,
        toolLogs: this.data.toolLogs,
      },
      topics: { notifications: notifications.topic },
      guardrail: this.guardrail.guardrail,
    });

    const documents = new DocumentsBucket(this, 'Documents', { retainData: config.retainData });
    this.knowledge = new KnowledgeBase(this, 'Knowledge', {
      stage: config.stage,
      config: config.knowledgeBase,
      documentsBucket: documents.bucket,
      documentsPrefix: documents.documentsPrefix,
      inferenceGeo: config.agent.inferenceGeo,
      retainData: config.retainData,
      functionDefaults: {
        logLevel: config.lambda.logLevel,
        logRetentionDays: config.logRetentionDays,
        retainLogs: config.retainData,
      },
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
      alarmTopic: observability.alarmTopic,
    });

    const instruction = fs.readFileSync(path.join(REPO_ROOT, config.agent.instructionFile), 'utf8');
    const toolFunctions = props.tools.map((tool) => ({ tool, function: this.tools.functionOf(tool.name) }));
    // A new store is a new knowledge base: the alias must move to a version that names it. (OpenSearch adds
    // nothing, so stacks from before the store was configurable keep their version.)
    const versionInputs = [
      this.guardrail.policyHash,
      ...(config.knowledgeBase.vectorStore === 'opensearch-serverless'
        ? []
        : [`vectorStore:${config.knowledgeBase.vectorStore}`]),
    ];
    const guardrailRef = {
      guardrailId: this.guardrail.guardrail.guardrailId,
      guardrailVersion: this.guardrail.versionNumber,
      guardrailArn: this.guardrail.guardrail.guardrailArn,
    };
    let agentEndpoint: AgentEndpoint;
    let configurationHash: string;
    if (config.agent.engine === 'agentcore') {
      const engine = composeAgentCore(this, {
        config,
        instruction,
        tools: toolFunctions,
        knowledgeBase: {
          id: this.knowledge.knowledgeBaseId,
          arn: this.knowledge.knowledgeBaseArn,
          vectorStore: this.knowledge.vectorStore,
        },
        guardrail: guardrailRef,
        versionInputs,
      });
      this.agentCore = engine;
      agentEndpoint = engine.endpoint;
      configurationHash = engine.configurationHash;
    } else {
      const agent = new KassAgent(this, 'Agent', {
        stage: config.stage,
        config: config.agent,
        instruction,
        tools: toolFunctions,
        guardrail: this.guardrail.guardrail,
        knowledgeBase: {
          id: this.knowledge.knowledgeBaseId,
          arn: this.knowledge.knowledgeBaseArn,
          description:
            'KASS documents: runbooks, policies, service catalogue and team notes. Use it for questions about ' +
            'internal systems, procedures and documents; cite what you used.',
        },
        versionInputs,
      });
      this.agent = agent;
      agentEndpoint = {
        agentId: agent.agent.agentId,
        aliasId: agent.alias.aliasId,
        aliasArn: agent.alias.aliasArn,
        memoryEnabled: config.agent.memory.enabled,
      };
      configurationHash = agent.configurationHash;
    }

    const chatData = new ChatData(this, 'ChatData', { retainData: config.retainData });
    const cognito = config.chatApi.cognito;
    const web = config.web.enabled
      ? new WebHosting(this, 'Web', {
          config: config.web,
          retainData: config.retainData,
          cognitoEnabled: cognito.enabled,
          logRetentionDays: config.logRetentionDays,
        })
      : undefined;
    const chat = composeChatApis(this, {
      ...(web ? { webOrigin: web.origin } : {}),
      ...(cognito.enabled && !cognito.userPoolArn
        ? { cognitoDomainPrefix: config.web.cognitoDomainPrefix ?? `kass-${config.stage}-${Aws.ACCOUNT_ID}` }
        : {}),
      stage: config.stage,
      config: config.chatApi,
      retainData: config.retainData,
      functionDefaults: {
        logLevel: config.lambda.logLevel,
        logRetentionDays: config.logRetentionDays,
        retainLogs: config.retainData,
      },
      agent: agentEndpoint,
      knowledgeBase: this.knowledge,
      searchGuardrail: {
        guardrailId: this.guardrail.guardrail.guardrailId,
        guardrailVersion: this.guardrail.versionNumber,
        guardrailArn: this.guardrail.guardrail.guardrailArn,
      },
      conversations: this.data.conversations,
      agentState: chatData.agentState,
      connections: chatData.connections,
      version: `${config.stage}-${configurationHash}`,
      alarmTopic: observability.alarmTopic,
    });

    const pageConfig = webPageConfig({
      stage: config.stage,
      apiUrl: chat.rest.url,
      websocketUrl: chat.webSocket.url,
      maxMessageChars: config.chatApi.limits.maxMessageChars,
      cognitoEnabled: cognito.enabled,
      ...(chat.users?.webSignIn
        ? { signIn: chat.users.webSignIn }
        : config.web.cognitoSignIn
          ? { signIn: config.web.cognitoSignIn }
          : {}),
    });
    web?.connect(pageConfig);

    for (const tool of props.tools)
      observability.watchFunction(`Tool-${tool.name}`, this.tools.functionOf(tool.name));
    observability.watchFunction('Ingestion', ingestion.function);
    if (this.agentCore) {
      observability.watchFunction('KnowledgeTool', this.agentCore.gateway.knowledgeFunction);
      observability.watchFunction('GuardrailHook', this.agentCore.harness.hookFunction);
    }

    // The Discord bot, when the stage turns it on: same agent, same conversation and agent-state tables.
    const discordConfig = enabledDiscord(config.discord);
    if (discordConfig) {
      const bot = new DiscordBot(this, 'Discord', {
        stage: config.stage,
        config: discordConfig,
        functionDefaults: {
          logLevel: config.lambda.logLevel,
          logRetentionDays: config.logRetentionDays,
          retainLogs: config.retainData,
        },
        retainData: config.retainData,
        agent: agentEndpoint,
        conversations: this.data.conversations,
        agentState: chatData.agentState,
        conversationTtlDays: config.chatApi.conversationTtlDays,
        operators: config.chatApi.operators,
        maxQuestionChars: config.chatApi.limits.maxMessageChars,
        methodLoggingLevel: config.chatApi.methodLoggingLevel,
        ...(chat.accountLogging ? { accountLogging: chat.accountLogging } : {}),
        alarmTopic: observability.alarmTopic,
      });
      observability.watchFunction('DiscordIngress', bot.interactions.ingress);
      observability.watchFunction('DiscordWorker', bot.worker.worker);
      new CfnOutput(this, 'DiscordInteractionsUrl', {
        value: bot.interactions.interactionsUrl,
        description: 'Paste in the Discord Developer Portal: General Information → Interactions Endpoint URL',
      });
      new CfnOutput(this, 'DiscordApplicationId', { value: discordConfig.applicationId });
      new CfnOutput(this, 'DiscordBotTokenSecretArn', {
        value: bot.botToken.secretArn,
        description: 'Bot token secret (kass discord register reads it)',
      });
    }

    if (this.agent) {
      new CfnOutput(this, 'AgentId', { value: this.agent.agent.agentId, description: 'Bedrock agent id' });
      new CfnOutput(this, 'AgentAliasId', {
        value: this.agent.alias.aliasId,
        description: 'Agent alias for apps',
      });
      new CfnOutput(this, 'AgentArn', { value: this.agent.agent.agentArn });
    }
    if (this.agentCore) this.addAgentCoreOutputs(this.agentCore);
    new CfnOutput(this, 'GuardrailId', { value: this.guardrail.guardrail.guardrailId });
    new CfnOutput(this, 'GuardrailVersion', { value: this.guardrail.versionNumber });
    new CfnOutput(this, 'DocumentsBucketName', { value: documents.bucket.bucketName });
    new CfnOutput(this, 'DocumentsAccessLogBucketName', {
      value: documents.accessLogBucket.bucketName,
      description: 'Server access logs of the documents bucket',
    });
    new CfnOutput(this, 'DataRetention', {
      value: config.retainData ? 'retain' : 'destroy',
      description:
        'retain: cdk destroy keeps buckets, tables and logs; destroy: they go with the stack (empty the buckets ' +
        'first: kass empty-buckets)',
    });
    new CfnOutput(this, 'KnowledgeBaseId', { value: this.knowledge.knowledgeBaseId });
    new CfnOutput(this, 'DataSourceId', { value: this.knowledge.dataSourceId });
    new CfnOutput(this, VECTOR_STORE_OUTPUT, {
      value: this.knowledge.vectorStore,
      description: 'Vector store of the knowledge base (kass retrieve checks --hybrid against it)',
    });
    new CfnOutput(this, 'IngestionQueueUrl', { value: ingestion.queue.queueUrl });
    new CfnOutput(this, 'ChatApiUrl', {
      value: chat.rest.url,
      description: 'REST API: POST /chat, POST /search, GET /health',
    });
    new CfnOutput(this, 'ChatWebSocketUrl', {
      value: chat.webSocket.url,
      description: 'WebSocket API (?token=<api key>)',
    });
    for (const [name, key] of Object.entries(chat.keys.apiKeys)) {
      new CfnOutput(this, `ChatApiKeyId${name.replace(/[^A-Za-z0-9]/g, '')}`, {
        value: key.keyId,
        description: `API key '${name}': aws apigateway get-api-key --include-value --api-key <id>`,
      });
    }
    if (chat.users?.userPoolClient) {
      new CfnOutput(this, 'UserPoolId', { value: chat.users.userPool.userPoolId });
      new CfnOutput(this, 'UserPoolClientId', { value: chat.users.userPoolClient.userPoolClientId });
    }
    new CfnOutput(this, 'WebConfig', {
      value: this.toJsonString(pageConfig),
      description: 'The web page configuration (its config.json): kass web --stage reads it',
    });
    new CfnOutput(this, 'ChatAllowedOrigins', {
      value: chat.allowedOrigins.length > 0 ? Fn.join(',', [...chat.allowedOrigins]) : '-',
      description: 'Browser origins the chat APIs allow (CORS) and Cognito accepts as sign-in callbacks',
    });
    if (web) {
      new CfnOutput(this, 'WebUrl', { value: web.url, description: 'The web chat page' });
      new CfnOutput(this, 'WebDistributionId', { value: web.distribution.distributionId });
    }
    new CfnOutput(this, 'AgentStateTableName', { value: chatData.agentState.tableName });
    new CfnOutput(this, 'AlarmTopicArn', { value: observability.alarmTopic.topicArn });
    new CfnOutput(this, 'TicketsTableName', { value: this.data.tickets.tableName });
    new CfnOutput(this, 'ConversationsTableName', { value: this.data.conversations.tableName });
    new CfnOutput(this, 'ToolLogsTableName', { value: this.data.toolLogs.tableName });
    new CfnOutput(this, 'NotificationsTopicArn', { value: notifications.topic.topicArn });

    composeOperations(this, {
      config,
      alarmTopic: observability.alarmTopic,
      documentsBucket: documents.bucket,
      accessLogBucket: documents.accessLogBucket,
      foundations,
    });
  }

  /** What `kass` and apps read to reach the AgentCore engine (a Classic stack has no AgentEngine output). */
  private addAgentCoreOutputs(engine: AgentCoreEngine): void {
    new CfnOutput(this, 'AgentEngine', { value: 'agentcore', description: 'The agent engine of this stage' });
    new CfnOutput(this, 'HarnessArn', {
      value: engine.harness.harness.attrArn,
      description: 'AgentCore harness',
    });
    new CfnOutput(this, 'HarnessEndpointName', {
      value: engine.harness.endpointName,
      description: 'InvokeHarness qualifier (the stage endpoint)',
    });
    new CfnOutput(this, 'GatewayArn', { value: engine.gateway.gateway.gatewayArn });
    new CfnOutput(this, 'GatewayId', { value: engine.gateway.gateway.gatewayId });
    new CfnOutput(this, 'ClientTools', {
      value: clientToolsJson(engine.endpoint),
      description:
        'Tool Lambdas whose operations the caller runs (inline functions), and which of them are read-only',
    });
  }
}
