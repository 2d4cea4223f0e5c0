import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type { ChatApiConfig } from '../config/chat-config';
import type { AgentEndpoint } from '../constructs/chat/agent-endpoint';
import { ApiGatewayAccountLogging } from '../constructs/chat/api-gateway-account';
import { identifyApps } from '../constructs/chat/caller-identity';
import { ChatApiKeys } from '../constructs/chat/chat-api-keys';
import {
  ChatFunctions,
  type SearchGuardrail,
  type SearchKnowledgeBase,
} from '../constructs/chat/chat-functions';
import { ChatRestApi } from '../constructs/chat/chat-rest-api';
import { ChatUserPool } from '../constructs/chat/chat-user-pool';
import { ChatWebAcl } from '../constructs/chat/chat-web-acl';
import { KassWebSocketApi } from '../constructs/chat/websocket-api';
import type { KassFunctionDefaults } from '../constructs/kass-function';

export interface ChatApiProps {
  /** Stage name: the REST and WebSocket stage names and part of the API names. */
  readonly stage: string;
  readonly config: ChatApiConfig;
  readonly functionDefaults: KassFunctionDefaults;
  /** Keep the Cognito user pool when the stack is deleted (prod). */
  readonly retainData: boolean;
  readonly agent: AgentEndpoint;
  readonly knowledgeBase: SearchKnowledgeBase;
  /** @default - /search retrieves without a guardrail */
  readonly searchGuardrail?: SearchGuardrail;
  /** Conversations table (`Data.conversations`). */
  readonly conversations: dynamodb.ITable;
  /** Agent State table (`ChatData.agentState`). */
  readonly agentState: dynamodb.ITable;
  /** Connections table (`ChatData.connections`) of the WebSocket API. */
  readonly connections: dynamodb.ITable;
  /** Reported by GET /health. */
  readonly version: string;
  /** Where API and worker alarms notify. @default - alarms without actions */
  readonly alarmTopic?: sns.ITopic;
  /**
   * The hosted web page's origin (`WebHosting.origin`): it joins `allowedOrigins` (CORS, and every check on
   * them) and, with Cognito, the web app client's callback URLs. @default - no hosted page
   */
  readonly webOrigin?: string;
  /** Hosted-UI domain prefix for browser sign-in when Cognito is on and a browser origin is allowed. */
  readonly cognitoDomainPrefix?: string;
}

/** What the chat composition built, for outputs, the summary and tests. */
export interface ChatApis {
  readonly rest: ChatRestApi;
  readonly webSocket: KassWebSocketApi;
  readonly functions: ChatFunctions;
  readonly keys: ChatApiKeys;
  readonly users?: ChatUserPool;
  readonly webAcl?: ChatWebAcl;
  readonly accountLogging?: ApiGatewayAccountLogging;
  /** The browser origins the APIs allow (config plus the hosted page's). */
  readonly allowedOrigins: readonly string[];
}

/**
 * The chat APIs side by side, each concern its own construct: the account's API Gateway logging role (when
 * managed here), Cognito sign-in (when on), the WebSocket API, the REST functions, the REST API, its API keys
 * and usage plan (which the WebSocket stage joins in API-key mode) and the optional WAF.
 */
export function composeChatApis(scope: Construct, props: ChatApiProps): ChatApis {
  const { stage } = props;
  const config: ChatApiConfig = props.webOrigin
    ? { ...props.config, allowedOrigins: [...props.config.allowedOrigins, props.webOrigin] }
    : props.config;
  const accountLogging =
    config.accountCloudWatchRole === 'create'
      ? new ApiGatewayAccountLogging(scope, 'ApiGatewayAccountLogging')
      : undefined;
  const users = config.cognito.enabled
    ? new ChatUserPool(scope, 'ChatUsers', {
        settings: config.cognito,
        retainData: props.retainData,
        ...(props.cognitoDomainPrefix
          ? { webSignIn: { origins: config.allowedOrigins, domainPrefix: props.cognitoDomainPrefix } }
          : {}),
      })
    : undefined;

  const webSocket = new KassWebSocketApi(scope, 'ChatWebSocket', {
    stage,
    config,
    functionDefaults: props.functionDefaults,
    agent: props.agent,
    conversations: props.conversations,
    agentState: props.agentState,
    connections: props.connections,
    authentication: users
      ? { kind: 'cognito', userPoolId: users.userPool.userPoolId, clientIds: users.clientIds }
      : { kind: 'api-keys' },
    ...(accountLogging ? { accountSettings: accountLogging.account } : {}),
    ...(props.alarmTopic ? { alarmTopic: props.alarmTopic } : {}),
  });

  const functions = new ChatFunctions(scope, 'ChatFunctions', {
    config,
    functionDefaults: props.functionDefaults,
    agent: props.agent,
    knowledgeBase: props.knowledgeBase,
    ...(props.searchGuardrail ? { searchGuardrail: props.searchGuardrail } : {}),
    conversations: props.conversations,
    agentState: props.agentState,
    webSocketUrl: webSocket.url,
    version: props.version,
  });

  const rest = new ChatRestApi(scope, 'ChatApi', {
    stage,
    config,
    functionDefaults: props.functionDefaults,
    functions,
    ...(users ? { userPool: users.userPool } : {}),
    ...(accountLogging ? { accountLogging } : {}),
  });
  const keys = new ChatApiKeys(scope, 'ChatApiKeys', { stage, api: rest.api, config });
  // Callers of a key are its app's: the functions that derive callers get the key id → app map.
  identifyApps(
    [functions.chatFunction, functions.conversationsFunction, functions.listConversationsFunction],
    keys.apps,
  );
  // The same keys open WebSocket connections: API Gateway checks them against this plan on $connect.
  if (!users) {
    webSocket.addToUsagePlan(keys.usagePlan);
    webSocket.identifyApps(keys.apps);
  }
  const webAcl = config.waf.enabled
    ? new ChatWebAcl(scope, 'ChatWaf', {
        stage: rest.api.deploymentStage,
        ratePer5Minutes: config.waf.ratePer5Minutes,
      })
    : undefined;

  if (props.alarmTopic) {
    const action = new cloudwatchActions.SnsAction(props.alarmTopic);
    for (const alarm of [rest.serverErrorAlarm, ...functions.throttleAlarms]) alarm.addAlarmAction(action);
  }
  return {
    allowedOrigins: config.allowedOrigins,
    rest,
    webSocket,
    functions,
    keys,
    ...(users ? { users } : {}),
    ...(webAcl ? { webAcl } : {}),
    ...(accountLogging ? { accountLogging } : {}),
  };
}
