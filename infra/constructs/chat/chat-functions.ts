import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import {
  CHAT_ENV,
  CONVERSATIONS_ENV,
  HEALTH_ENV,
  LIST_CONVERSATIONS_ENV,
  SEARCH_ENV,
} from '../../../contracts/function-env';
import { TABLE_KEYS } from '../../../contracts/tables';
import type { VectorStoreKind } from '../../../contracts/vector-stores';
import type { ChatApiConfig } from '../../config/chat-config';
import { KassFunction, type KassFunctionDefaults } from '../kass-function';
import type { GuardrailRef } from '../resource-refs';
import { type AgentEndpoint, agentEnvInput, grantInvokeAgent } from './agent-endpoint';
import { operatorsInput } from './caller-identity';
import { grantTable, grantTurnWrites } from './grants';
import { throttleAlarm } from './throttle-alarm';

/** The knowledge base /search retrieves from. */
export interface SearchKnowledgeBase {
  readonly knowledgeBaseId: string;
  readonly knowledgeBaseArn: string;
  /** What the store can do (hybrid search) and how it fails (Aurora resuming): /search needs to know. */
  readonly vectorStore: VectorStoreKind;
}

/** A guardrail (id and numbered version) applied to /search queries and results. */
export type SearchGuardrail = GuardrailRef;

export interface ChatFunctionsProps {
  readonly config: ChatApiConfig;
  readonly functionDefaults: KassFunctionDefaults;
  readonly agent: AgentEndpoint;
  readonly knowledgeBase: SearchKnowledgeBase;
  /** @default - /search retrieves without a guardrail */
  readonly searchGuardrail?: SearchGuardrail;
  /** Conversations table (`Data.conversations`): one item per message, in the summarize tool's shape. */
  readonly conversations: dynamodb.ITable;
  /** Agent State table (`ChatData.agentState`): session → owner, last invocation status. */
  readonly agentState: dynamodb.ITable;
  /** Where a /chat turn too long for REST should go instead (the WebSocket API's URL). */
  readonly webSocketUrl: string;
  /** Reported by GET /health (e.g. the package version or the agent configuration hash). */
  readonly version: string;
}

/**
 * The four Lambdas behind the chat REST API, each with exactly the environment it reads and the grants it
 * needs: /chat (one agent turn), /conversations/{id} (the caller's stored turns), /search (Retrieve) and
 * /health (no AWS call).
 */
export class ChatFunctions extends Construct {
  public readonly chatFunction: KassFunction;
  public readonly conversationsFunction: KassFunction;
  public readonly listConversationsFunction: KassFunction;
  public readonly searchFunction: KassFunction;
  public readonly healthFunction: KassFunction;
  /** The cost caps (reserved concurrency) reached: Bedrock-calling functions were throttled. */
  public readonly throttleAlarms: readonly cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: ChatFunctionsProps) {
    super(scope, id);
    const { config } = props;
    const cors = { allowedOrigins: config.allowedOrigins };
    const callers = operatorsInput(config);
    const fn = (entry: string, description: string, serviceName: string) => ({
      ...props.functionDefaults,
      entry,
      description,
      serviceName: `kass-${serviceName}`,
      settings: config.light,
    });

    this.chatFunction = new KassFunction(this, 'ChatFunction', {
      ...fn('functions/chat/handler.ts', 'POST /chat: one agent turn within the REST deadline', 'chat'),
      settings: { memoryMb: config.chat.memoryMb, timeoutSeconds: config.chat.timeoutSeconds },
      reservedConcurrentExecutions: config.chat.reservedConcurrency,
      environment: CHAT_ENV.environment({
        ...cors,
        ...agentEnvInput(props.agent),
        conversationsTable: props.conversations.tableName,
        agentStateTable: props.agentState.tableName,
        conversationTtlDays: config.conversationTtlDays,
        deadlineSeconds: config.chat.agentDeadlineSeconds,
        maxMessageChars: config.limits.maxMessageChars,
        websocketUrl: props.webSocketUrl,
        confirmations: config.chat.confirmations,
        // A turn holds its session for as long as this function can run.
        leaseSeconds: config.chat.timeoutSeconds,
        ...callers,
      }),
    });
    grantInvokeAgent(this.chatFunction, props.agent);
    grantTurnWrites(this.chatFunction, props.conversations, props.agentState);

    this.conversationsFunction = new KassFunction(this, 'ConversationsFunction', {
      ...fn(
        'functions/chat/conversations-handler.ts',
        'GET /conversations/{conversationId}: the caller’s stored messages',
        'conversations',
      ),
      environment: CONVERSATIONS_ENV.environment({
        ...cors,
        conversationsTable: props.conversations.tableName,
        pageSize: config.limits.conversationPageSize,
        ...callers,
      }),
    });
    grantTable(this.conversationsFunction, props.conversations, ['dynamodb:Query']);

    this.listConversationsFunction = new KassFunction(this, 'ListConversationsFunction', {
      ...fn(
        'functions/chat/list-conversations-handler.ts',
        'GET /conversations: the caller’s conversations, newest first',
        'conversation-list',
      ),
      environment: LIST_CONVERSATIONS_ENV.environment({
        ...cors,
        conversationsTable: props.conversations.tableName,
        userIndex: TABLE_KEYS.conversations.userIndex,
        ...callers,
      }),
    });
    // Query on the owner index only (the list is read from the caller's own partition of it).
    this.listConversationsFunction.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: [`${props.conversations.tableArn}/index/${TABLE_KEYS.conversations.userIndex}`],
      }),
    );

    this.searchFunction = new KassFunction(this, 'SearchFunction', {
      ...fn('functions/search/handler.ts', 'POST /search: ranked knowledge-base chunks', 'search'),
      settings: { memoryMb: config.search.memoryMb, timeoutSeconds: config.search.timeoutSeconds },
      reservedConcurrentExecutions: config.search.reservedConcurrency,
      environment: SEARCH_ENV.environment({
        ...cors,
        knowledgeBaseId: props.knowledgeBase.knowledgeBaseId,
        vectorStore: props.knowledgeBase.vectorStore,
        maxQueryChars: config.limits.maxQueryChars,
        maxResults: config.limits.maxSearchResults,
        ...(props.searchGuardrail
          ? {
              guardrailId: props.searchGuardrail.guardrailId,
              guardrailVersion: props.searchGuardrail.guardrailVersion,
            }
          : {}),
      }),
    });
    this.searchFunction.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['bedrock:Retrieve'],
        resources: [props.knowledgeBase.knowledgeBaseArn],
      }),
    );
    if (props.searchGuardrail) {
      this.searchFunction.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['bedrock:ApplyGuardrail'],
          resources: [props.searchGuardrail.guardrailArn],
        }),
      );
    }

    this.healthFunction = new KassFunction(this, 'HealthFunction', {
      ...fn('functions/health/handler.ts', 'GET /health: liveness and version, no AWS calls', 'health'),
      environment: HEALTH_ENV.environment({ ...cors, appVersion: props.version }),
    });

    this.throttleAlarms = [
      throttleAlarm(this, 'ChatThrottleAlarm', this.chatFunction),
      throttleAlarm(this, 'SearchThrottleAlarm', this.searchFunction),
    ];
  }
}
