import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct, type IConstruct } from 'constructs';
import { type ChatApiConfig, REST_INTEGRATION_TIMEOUT_SECONDS } from '../config/chat-config';
import { KassFunction, type KassFunctionProps } from './kass-function';
import { nagResource } from './nag-ids';
import {
  agentEnvironment,
  grantInvokeAgent,
  grantTable,
  KassWebSocketApi,
  throttleAlarm,
} from './websocket-api';

/**
 * Request contract shared with the Lambdas (`functions/shared/requests.ts` repeats these patterns for zod;
 * tests/infra/chat-api.test.ts checks that both agree). The conversation id is the agent's session id, so it
 * follows InvokeAgent's `sessionId` rule.
 */
export const CONVERSATION_ID_PATTERN = '^[0-9a-zA-Z._:-]{2,100}$';
/** An app's own end-user id, namespaced under its API key (see `functions/shared/owner.ts`). */
export const USER_ID_PATTERN = '^[0-9A-Za-z._@:-]{1,128}$';
/** A tool confirmation's id (a UUID the chat functions make; see `functions/shared/confirmations.ts`). */
export const CONFIRMATION_ID_PATTERN = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';

/** The Bedrock agent alias the chat functions invoke. */
export interface AgentEndpoint {
  readonly agentId: string;
  readonly aliasId: string;
  /** `arn:…:agent-alias/<agentId>/<aliasId>`: the only resource bedrock:InvokeAgent is granted on. */
  readonly aliasArn: string;
  /** The agent has SESSION_SUMMARY memory: turns carry a per-owner `memoryId`. @default false */
  readonly memoryEnabled?: boolean;
}

/** The knowledge base /search retrieves from. */
export interface SearchKnowledgeBase {
  readonly knowledgeBaseId: string;
  readonly knowledgeBaseArn: string;
}

/** A guardrail (id and numbered version) applied to /search queries and results. */
export interface SearchGuardrail {
  readonly guardrailId: string;
  readonly guardrailVersion: string;
  readonly guardrailArn: string;
}

/** House Lambda settings the chat functions share (log level, retention, retained logs). */
export type ChatFunctionDefaults = Pick<KassFunctionProps, 'logLevel' | 'logRetentionDays' | 'retainLogs'>;

export interface ChatApiProps {
  /** Stage name: the REST and WebSocket stage names and part of the API names. */
  readonly stage: string;
  readonly config: ChatApiConfig;
  readonly functionDefaults: ChatFunctionDefaults;
  /** Keep the Cognito user pool when the stack is deleted (prod). */
  readonly retainData: boolean;
  readonly agent: AgentEndpoint;
  readonly knowledgeBase: SearchKnowledgeBase;
  /** @default - /search retrieves without a guardrail */
  readonly searchGuardrail?: SearchGuardrail;
  /** Conversations table (`Data.conversations`): one item per message, in the summarize tool's shape. */
  readonly conversations: dynamodb.ITable;
  /** Agent State table (`ChatData.agentState`): session → owner, last invocation status. */
  readonly agentState: dynamodb.ITable;
  /** Connections table (`ChatData.connections`) of the WebSocket API. */
  readonly connections: dynamodb.ITable;
  /** Reported by GET /health (e.g. the package version or the agent configuration hash). */
  readonly version: string;
  /** Where API and worker alarms notify. @default - alarms without actions */
  readonly alarmTopic?: sns.ITopic;
}

/** Reason shared by the API-key-only acknowledgements (dev: Cognito off). */
const KEYS_ONLY_REASON =
  'Cognito is off in this stage (chatApi.cognito.enabled=false): machine clients are identified by API keys ' +
  'that API Gateway checks against a usage plan with throttle and quota before the Lambda runs; the owner of ' +
  'a conversation is derived from the key. Prod enables the Cognito authorizer on this method.';

/**
 * The chat REST API: `POST /chat` (one agent turn, answered inside the 29 s integration timeout),
 * `POST /search` (ranked knowledge-base chunks), `GET /conversations/{conversationId}` (the caller's own
 * stored turns) and `GET /health`. API keys in a usage plan on every method but /health, optional Cognito
 * sign-in, request models and validators, explicit stage throttling, JSON access logs, X-Ray, CORS for the
 * configured origins only, optional WAF. It also owns the WebSocket API for long, streamed turns (built with
 * the same authentication) and, when configured, the account's API Gateway CloudWatch role.
 */
export class ChatApi extends Construct {
  public readonly api: apigw.RestApi;
  public readonly usagePlan: apigw.UsagePlan;
  /** One key per configured client, by client name. */
  public readonly apiKeys: Readonly<Record<string, apigw.ApiKey>>;
  public readonly accessLogs: logs.LogGroup;
  public readonly executionLogs: logs.LogGroup;
  public readonly chatFunction: KassFunction;
  public readonly conversationsFunction: KassFunction;
  public readonly searchFunction: KassFunction;
  public readonly healthFunction: KassFunction;
  public readonly webSocket: KassWebSocketApi;
  /** Set when `accountCloudWatchRole` is `create`. */
  public readonly cloudWatchRole?: iam.Role;
  public readonly accountSettings?: apigw.CfnAccount;
  public readonly userPool?: cognito.IUserPool;
  /** The app client created with a new user pool. */
  public readonly userPoolClient?: cognito.UserPoolClient;
  public readonly webAcl?: wafv2.CfnWebACL;
  public readonly serverErrorAlarm: cloudwatch.Alarm;
  /** The cost caps (reserved concurrency) reached: Bedrock-calling functions were throttled. */
  public readonly throttleAlarms: readonly cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: ChatApiProps) {
    super(scope, id);
    const { config, stage } = props;
    const logRemoval = props.functionDefaults.retainLogs ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    if (config.accountCloudWatchRole === 'create') {
      [this.cloudWatchRole, this.accountSettings] = this.createAccountCloudWatchRole();
    }

    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.functionDefaults.logRetentionDays as logs.RetentionDays,
      removalPolicy: logRemoval,
    });

    const origins = config.allowedOrigins;
    this.api = new apigw.RestApi(this, 'Api', {
      description: `KASS chat API (${stage}): /chat, /search, /conversations, /health`,
      endpointTypes: [apigw.EndpointType.REGIONAL],
      // The account-level role is managed deliberately above (or already exists), never implicitly here.
      cloudWatchRole: false,
      apiKeySourceType: apigw.ApiKeySourceType.HEADER,
      deployOptions: {
        stageName: stage,
        tracingEnabled: true,
        metricsEnabled: true,
        loggingLevel: apigw.MethodLoggingLevel[config.methodLoggingLevel],
        // Never log request/response bodies: they hold prompts and answers.
        dataTraceEnabled: false,
        throttlingRateLimit: config.throttle.rateLimit,
        throttlingBurstLimit: config.throttle.burstLimit,
        accessLogDestination: new apigw.LogGroupLogDestination(this.accessLogs),
        accessLogFormat: ACCESS_LOG_FORMAT,
        methodOptions: {
          '/health/GET': {
            throttlingRateLimit: config.healthThrottle.rateLimit,
            throttlingBurstLimit: config.healthThrottle.burstLimit,
            loggingLevel: apigw.MethodLoggingLevel[config.methodLoggingLevel],
            dataTraceEnabled: false,
            metricsEnabled: true,
          },
        },
      },
      ...(origins.length > 0
        ? {
            defaultCorsPreflightOptions: {
              allowOrigins: origins,
              allowMethods: ['GET', 'POST', 'OPTIONS'],
              allowHeaders: ['Content-Type', 'X-Api-Key', 'Authorization'],
              maxAge: Duration.hours(1),
            },
          }
        : {}),
    });

    // Execution logs go to a group API Gateway names itself; creating it first gives it a retention.
    this.executionLogs = new logs.LogGroup(this, 'ExecutionLogs', {
      logGroupName: `API-Gateway-Execution-Logs_${this.api.restApiId}/${stage}`,
      retention: props.functionDefaults.logRetentionDays as logs.RetentionDays,
      removalPolicy: logRemoval,
    });
    this.api.deploymentStage.node.addDependency(this.executionLogs);
    if (this.accountSettings) this.api.deploymentStage.node.addDependency(this.accountSettings);

    this.addGatewayResponses(origins);

    // Authentication: API keys always (identification, throttle, quota); Cognito on top when enabled.
    this.usagePlan = this.api.addUsagePlan('UsagePlan', {
      description: `KASS chat API (${stage}): per-key throttle and quota`,
      throttle: config.usagePlan.throttle,
      quota: { limit: config.usagePlan.quota.limit, period: apigw.Period[config.usagePlan.quota.period] },
      apiStages: [{ api: this.api, stage: this.api.deploymentStage }],
    });
    const keys: Record<string, apigw.ApiKey> = {};
    for (const client of config.apiKeys) {
      const key = new apigw.ApiKey(this, `ApiKey-${client}`, {
        apiKeyName: `kass-${stage}-${client}`,
        description: `KASS chat API key of client '${client}' (${stage})`,
        enabled: true,
      });
      this.usagePlan.addApiKey(key);
      keys[client] = key;
    }
    this.apiKeys = keys;

    let authorizer: apigw.CognitoUserPoolsAuthorizer | undefined;
    let cognitoClientIds: string[] = [];
    if (config.cognito.enabled) {
      [this.userPool, this.userPoolClient] = this.userPoolFor(config.cognito, props.retainData);
      cognitoClientIds = this.userPoolClient
        ? [this.userPoolClient.userPoolClientId]
        : config.cognito.userPoolClientIds;
      authorizer = new apigw.CognitoUserPoolsAuthorizer(this, 'CognitoAuthorizer', {
        cognitoUserPools: [this.userPool],
        identitySource: apigw.IdentitySource.header('Authorization'),
        resultsCacheTtl: Duration.minutes(5),
      });
    }

    // The WebSocket API: long turns streamed back; authorised on $connect with the same keys or tokens.
    this.webSocket = new KassWebSocketApi(this, 'WebSocket', {
      stage,
      config,
      functionDefaults: props.functionDefaults,
      agent: props.agent,
      conversations: props.conversations,
      agentState: props.agentState,
      connections: props.connections,
      authentication: config.cognito.enabled
        ? {
            kind: 'cognito',
            userPoolId: (this.userPool as cognito.IUserPool).userPoolId,
            clientIds: cognitoClientIds,
          }
        : { kind: 'api-keys' },
      accountSettings: this.accountSettings,
      alarmTopic: props.alarmTopic,
    });
    // The same keys open WebSocket connections: API Gateway checks them against this plan on $connect.
    if (!config.cognito.enabled) this.webSocket.addToUsagePlan(this.usagePlan);

    const cors = { ALLOWED_ORIGINS: origins.join(',') };
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
      environment: {
        ...cors,
        ...agentEnvironment(props.agent),
        CONVERSATIONS_TABLE_NAME: props.conversations.tableName,
        AGENT_STATE_TABLE_NAME: props.agentState.tableName,
        CONVERSATION_TTL_DAYS: String(config.conversationTtlDays),
        AGENT_DEADLINE_SECONDS: String(config.chat.agentDeadlineSeconds),
        MAX_MESSAGE_CHARS: String(config.limits.maxMessageChars),
        WEBSOCKET_URL: this.webSocket.url,
        CHAT_CONFIRMATIONS: config.chat.confirmations,
      },
    });
    grantInvokeAgent(this.chatFunction, props.agent);
    grantTable(this.chatFunction, props.conversations, ['dynamodb:BatchWriteItem']);
    grantTable(this.chatFunction, props.agentState, ['dynamodb:UpdateItem', 'dynamodb:GetItem']);

    this.conversationsFunction = new KassFunction(this, 'ConversationsFunction', {
      ...fn(
        'functions/chat/conversations-handler.ts',
        'GET /conversations/{conversationId}: the caller’s stored messages',
        'conversations',
      ),
      environment: {
        ...cors,
        CONVERSATIONS_TABLE_NAME: props.conversations.tableName,
        PAGE_SIZE: String(config.limits.conversationPageSize),
      },
    });
    grantTable(this.conversationsFunction, props.conversations, ['dynamodb:Query']);

    this.searchFunction = new KassFunction(this, 'SearchFunction', {
      ...fn('functions/search/handler.ts', 'POST /search: ranked knowledge-base chunks', 'search'),
      settings: { memoryMb: config.search.memoryMb, timeoutSeconds: config.search.timeoutSeconds },
      reservedConcurrentExecutions: config.search.reservedConcurrency,
      environment: {
        ...cors,
        KNOWLEDGE_BASE_ID: props.knowledgeBase.knowledgeBaseId,
        MAX_QUERY_CHARS: String(config.limits.maxQueryChars),
        MAX_SEARCH_RESULTS: String(config.limits.maxSearchResults),
        ...(props.searchGuardrail
          ? {
              GUARDRAIL_ID: props.searchGuardrail.guardrailId,
              GUARDRAIL_VERSION: props.searchGuardrail.guardrailVersion,
            }
          : {}),
      },
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
      environment: { ...cors, APP_VERSION: props.version },
    });

    this.addRoutes(config, authorizer);

    if (config.waf.enabled) this.webAcl = this.createWebAcl(config.waf.ratePer5Minutes);
    this.acknowledgeFindings(config);

    // Alarms: 5XX from the API, and the cost caps being hit.
    this.serverErrorAlarm = new cloudwatch.Alarm(this, 'ServerErrorAlarm', {
      alarmDescription: `KASS chat API (${stage}) answered 5XX: check the chat/search function logs and X-Ray.`,
      metric: this.api.metricServerError({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
      threshold: 5,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.throttleAlarms = [this.chatFunction, this.searchFunction].map((f, i) =>
      throttleAlarm(this, `${i === 0 ? 'Chat' : 'Search'}ThrottleAlarm`, f),
    );
    if (props.alarmTopic) {
      const action = new cloudwatchActions.SnsAction(props.alarmTopic);
      for (const alarm of [this.serverErrorAlarm, ...this.throttleAlarms]) alarm.addAlarmAction(action);
    }
  }

  /** The REST endpoint, e.g. `https://<id>.execute-api.<region>.amazonaws.com/<stage>/`. */
  public get url(): string {
    return this.api.url;
  }

  private addRoutes(config: ChatApiConfig, authorizer: apigw.CognitoUserPoolsAuthorizer | undefined): void {
    const limits = config.limits;
    const validateAll = this.api.addRequestValidator('BodyAndParameters', {
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    const validateParameters = this.api.addRequestValidator('ParametersOnly', {
      validateRequestBody: false,
      validateRequestParameters: true,
    });
    const guarded: Partial<apigw.MethodOptions> = authorizer
      ? { apiKeyRequired: true, authorizer, authorizationType: apigw.AuthorizationType.COGNITO }
      : { apiKeyRequired: true };
    const lambda = (f: KassFunction, timeoutSeconds = REST_INTEGRATION_TIMEOUT_SECONDS) =>
      new apigw.LambdaIntegration(f.function, {
        proxy: true,
        allowTestInvoke: false,
        timeout: Duration.seconds(timeoutSeconds),
      });

    // A message, or the answer to a tool confirmation of a named conversation: exactly one of the two
    // (draft-4 `oneOf`, which request validation evaluates; a body with both matches both and fails).
    const chatModel = this.api.addModel('ChatRequest', {
      contentType: 'application/json',
      description: 'POST /chat body: {message} or {conversationId, confirmation}',
      schema: {
        schema: apigw.JsonSchemaVersion.DRAFT4,
        title: 'ChatRequest',
        type: apigw.JsonSchemaType.OBJECT,
        additionalProperties: false,
        properties: {
          message: { type: apigw.JsonSchemaType.STRING, minLength: 1, maxLength: limits.maxMessageChars },
          conversationId: { type: apigw.JsonSchemaType.STRING, pattern: CONVERSATION_ID_PATTERN },
          userId: { type: apigw.JsonSchemaType.STRING, pattern: USER_ID_PATTERN },
          confirmation: {
            type: apigw.JsonSchemaType.OBJECT,
            required: ['id', 'confirm'],
            additionalProperties: false,
            properties: {
              id: { type: apigw.JsonSchemaType.STRING, pattern: CONFIRMATION_ID_PATTERN },
              confirm: { type: apigw.JsonSchemaType.BOOLEAN },
            },
          },
        },
        oneOf: [{ required: ['message'] }, { required: ['confirmation', 'conversationId'] }],
      },
    });
    const searchModel = this.api.addModel('SearchRequest', {
      contentType: 'application/json',
      description: 'POST /search body',
      schema: {
        schema: apigw.JsonSchemaVersion.DRAFT4,
        title: 'SearchRequest',
        type: apigw.JsonSchemaType.OBJECT,
        required: ['query'],
        additionalProperties: false,
        properties: {
          query: { type: apigw.JsonSchemaType.STRING, minLength: 1, maxLength: limits.maxQueryChars },
          top: { type: apigw.JsonSchemaType.INTEGER, minimum: 1, maximum: limits.maxSearchResults },
          // The filter grammar is recursive (andAll/orAll); the Lambda validates it in full.
          filter: { type: apigw.JsonSchemaType.OBJECT },
        },
      },
    });

    this.api.root.addResource('chat').addMethod('POST', lambda(this.chatFunction), {
      ...guarded,
      operationName: 'Chat',
      requestValidator: validateAll,
      requestModels: { 'application/json': chatModel },
    });
    this.api.root.addResource('search').addMethod('POST', lambda(this.searchFunction), {
      ...guarded,
      operationName: 'Search',
      requestValidator: validateAll,
      requestModels: { 'application/json': searchModel },
    });
    this.api.root
      .addResource('conversations')
      .addResource('{conversationId}')
      .addMethod('GET', lambda(this.conversationsFunction), {
        ...guarded,
        operationName: 'GetConversation',
        requestValidator: validateParameters,
        requestParameters: {
          'method.request.path.conversationId': true,
          'method.request.querystring.userId': false,
          'method.request.querystring.nextToken': false,
        },
      });
    this.api.root.addResource('health').addMethod('GET', lambda(this.healthFunction), {
      operationName: 'Health',
      apiKeyRequired: false,
      authorizationType: apigw.AuthorizationType.NONE,
      requestValidator: validateParameters,
    });
  }

  /** JSON bodies for the errors API Gateway answers itself (validation, keys, throttling, timeouts). */
  private addGatewayResponses(origins: readonly string[]): void {
    // A static header can name one origin only; with several, browsers see the status without the body.
    const responseHeaders =
      origins.length === 1
        ? { 'Access-Control-Allow-Origin': `'${origins[0]}'`, Vary: "'Origin'" }
        : undefined;
    const body = (error: string, extra = '') =>
      `{"error":"${error}"${extra},"requestId":"$context.requestId"}`;
    const responses: [string, apigw.ResponseType, string, string][] = [
      [
        'BadRequestBody',
        apigw.ResponseType.BAD_REQUEST_BODY,
        '400',
        body('The request body is invalid', ',"details":"$context.error.validationErrorString"'),
      ],
      [
        'BadRequestParameters',
        apigw.ResponseType.BAD_REQUEST_PARAMETERS,
        '400',
        body('A required request parameter is missing', ',"details":"$context.error.validationErrorString"'),
      ],
      [
        'InvalidApiKey',
        apigw.ResponseType.INVALID_API_KEY,
        '403',
        body('Missing or invalid API key (x-api-key)'),
      ],
      [
        'Unauthorized',
        apigw.ResponseType.UNAUTHORIZED,
        '401',
        body('Sign in: the Authorization token is missing or expired'),
      ],
      ['Throttled', apigw.ResponseType.THROTTLED, '429', body('Too many requests; retry with backoff')],
      [
        'QuotaExceeded',
        apigw.ResponseType.QUOTA_EXCEEDED,
        '429',
        body('The API key has used its quota for this period'),
      ],
      [
        'IntegrationTimeout',
        apigw.ResponseType.INTEGRATION_TIMEOUT,
        '504',
        body('The request took too long; use the WebSocket API for long chat turns'),
      ],
      ['Default4xx', apigw.ResponseType.DEFAULT_4XX, '400', body('The request was rejected')],
      ['Default5xx', apigw.ResponseType.DEFAULT_5XX, '500', body('Internal error; retry later')],
    ];
    for (const [rid, type, statusCode, template] of responses) {
      // DEFAULT_* keep the status API Gateway chose for the specific error.
      const keepStatus = type === apigw.ResponseType.DEFAULT_4XX || type === apigw.ResponseType.DEFAULT_5XX;
      this.api.addGatewayResponse(rid, {
        type,
        ...(keepStatus ? {} : { statusCode }),
        ...(responseHeaders ? { responseHeaders } : {}),
        templates: { 'application/json': template },
      });
    }
  }

  /**
   * The role API Gateway uses to write execution logs for every API in this account and region, and the
   * account setting that points at it. Both are retained on delete: other APIs (and other stages of KASS)
   * may log through them. The policy is the managed AmazonAPIGatewayPushToCloudWatchLogs narrowed to the log
   * groups API Gateway writes (REST `API-Gateway-Execution-Logs_*`, WebSocket `/aws/apigateway/*`).
   */
  private createAccountCloudWatchRole(): [iam.Role, apigw.CfnAccount] {
    const stack = Stack.of(this);
    const logGroup = (name: string) =>
      stack.formatArn({
        service: 'logs',
        resource: 'log-group',
        resourceName: name,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
    const prefixed = [
      logGroup('API-Gateway-Execution-Logs_*'),
      logGroup('API-Gateway-Execution-Logs_*:log-stream:*'),
      logGroup('/aws/apigateway/*'),
      logGroup('/aws/apigateway/*:log-stream:*'),
    ];
    const anyGroup = logGroup('*');
    const role = new iam.Role(this, 'ApiGatewayCloudWatchRole', {
      description: 'API Gateway (account-wide): writes REST and WebSocket execution logs to CloudWatch Logs',
      assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': stack.account },
      }),
      inlinePolicies: {
        PushExecutionLogs: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              actions: [
                'logs:CreateLogGroup',
                'logs:CreateLogStream',
                'logs:DescribeLogStreams',
                'logs:PutLogEvents',
                'logs:GetLogEvents',
                'logs:FilterLogEvents',
              ],
              resources: prefixed,
            }),
            new iam.PolicyStatement({ actions: ['logs:DescribeLogGroups'], resources: [anyGroup] }),
          ],
        }),
      },
    });
    role.applyRemovalPolicy(RemovalPolicy.RETAIN);
    const account = new apigw.CfnAccount(this, 'ApiGatewayAccount', { cloudWatchRoleArn: role.roleArn });
    account.applyRemovalPolicy(RemovalPolicy.RETAIN);
    account.node.addDependency(role);
    Validations.of(role).acknowledge(
      ...prefixed.map((arn) => ({
        id: `AwsSolutions-IAM5[Resource::${nagResource(this, arn)}]`,
        reason: ROLE_REASON,
      })),
      {
        id: `AwsSolutions-IAM5[Resource::${nagResource(this, anyGroup)}]`,
        reason: 'logs:DescribeLogGroups has no resource narrower than log-group:* (the action lists groups).',
      },
    );
    return [role, account];
  }

  private userPoolFor(
    settings: ChatApiConfig['cognito'],
    retainData: boolean,
  ): [cognito.IUserPool, cognito.UserPoolClient | undefined] {
    if (settings.userPoolArn) {
      return [cognito.UserPool.fromUserPoolArn(this, 'UserPool', settings.userPoolArn), undefined];
    }
    const plus = settings.featurePlan === 'PLUS';
    const pool = new cognito.UserPool(this, 'UserPool', {
      // Users are created by an administrator: a chatbot over internal documents has no public sign-up.
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { sms: false, otp: true },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      featurePlan: plus ? cognito.FeaturePlan.PLUS : cognito.FeaturePlan.ESSENTIALS,
      ...(plus ? { standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION } : {}),
      deletionProtection: retainData,
      removalPolicy: retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    const client = pool.addClient('AppClient', {
      // A public client (browser, CLI): SRP sign-in, no secret to leak.
      generateSecret: false,
      authFlows: { userSrp: true },
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
    });
    if (!plus) {
      Validations.of(pool).acknowledge({
        id: 'AwsSolutions-COG8',
        reason:
          'chatApi.cognito.featurePlan=ESSENTIALS: the pool has no self sign-up, MFA is required and users are ' +
          'admin-created; the PLUS tier (threat protection, billed per MAU) is a config switch away.',
      });
    }
    return [pool, client];
  }

  private createWebAcl(ratePer5Minutes: number): wafv2.CfnWebACL {
    const visibility = (metricName: string) => ({
      cloudWatchMetricsEnabled: true,
      metricName,
      sampledRequestsEnabled: true,
    });
    const managed = (name: string, priority: number, countOnly: string[] = []) => ({
      name,
      priority,
      overrideAction: { none: {} },
      statement: {
        managedRuleGroupStatement: {
          vendorName: 'AWS',
          name,
          ...(countOnly.length > 0
            ? { ruleActionOverrides: countOnly.map((rule) => ({ name: rule, actionToUse: { count: {} } })) }
            : {}),
        },
      },
      visibilityConfig: visibility(name),
    });
    const acl = new wafv2.CfnWebACL(this, 'WebAcl', {
      scope: 'REGIONAL',
      description: 'KASS chat API: per-IP rate limit and AWS managed rules',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('kass-chat-api'),
      rules: [
        {
          name: 'RatePerIp',
          priority: 0,
          action: { block: {} },
          statement: { rateBasedStatement: { limit: ratePer5Minutes, aggregateKeyType: 'IP' } },
          visibilityConfig: visibility('RatePerIp'),
        },
        managed('AWSManagedRulesAmazonIpReputationList', 1),
        // Chat messages are free text: pasted code and long questions must not be blocked as XSS or size.
        managed('AWSManagedRulesCommonRuleSet', 2, ['SizeRestrictions_BODY', 'CrossSiteScripting_BODY']),
        managed('AWSManagedRulesKnownBadInputsRuleSet', 3),
      ],
    });
    const association = new wafv2.CfnWebACLAssociation(this, 'WebAclAssociation', {
      resourceArn: this.api.deploymentStage.stageArn,
      webAclArn: acl.attrArn,
    });
    // The stage ARN names the stage by its literal name: without this, CloudFormation may associate first.
    association.node.addDependency(this.api.deploymentStage);
    return acl;
  }

  private acknowledgeFindings(config: ChatApiConfig): void {
    const method = (path: string, verb: string): IConstruct => {
      const resource = this.api.root.resourceForPath(path);
      return resource.node.findChild(verb);
    };
    Validations.of(method('/health', 'GET')).acknowledge(
      {
        id: 'AwsSolutions-APIG4',
        reason:
          'GET /health is a public liveness probe: it returns status and version only, calls no AWS service and ' +
          'has its own low method throttle.',
      },
      {
        id: 'AwsSolutions-COG4',
        reason: 'GET /health must answer load balancers and uptime checks that hold no Cognito token.',
      },
    );
    if (!config.cognito.enabled) {
      for (const [path, verb] of [
        ['/chat', 'POST'],
        ['/search', 'POST'],
        ['/conversations/{conversationId}', 'GET'],
      ] as const) {
        Validations.of(method(path, verb)).acknowledge(
          { id: 'AwsSolutions-APIG4', reason: KEYS_ONLY_REASON },
          { id: 'AwsSolutions-COG4', reason: KEYS_ONLY_REASON },
        );
      }
    }
    if (!config.waf.enabled) {
      Validations.of(this.api.deploymentStage).acknowledge({
        id: 'AwsSolutions-APIG3',
        reason:
          'chatApi.waf.enabled=false in this stage (WAF costs a fixed monthly fee): every method but /health ' +
          'needs an API key, the usage plan caps each key and the stage throttle caps the total; prod enables WAF.',
      });
    }
  }
}

const ROLE_REASON =
  'API Gateway names execution log groups per API and stage (API-Gateway-Execution-Logs_<apiId>/<stage>, ' +
  '/aws/apigateway/<apiId>/<stage>) and this account-wide role serves every API, so the groups are matched by ' +
  'prefix; DescribeLogGroups has no narrower resource.';

/** One access-log record per request, as JSON; no query strings, headers or bodies (keys and prompts). */
const ACCESS_LOG_FORMAT = apigw.AccessLogFormat.custom(
  JSON.stringify({
    requestId: apigw.AccessLogField.contextRequestId(),
    extendedRequestId: apigw.AccessLogField.contextExtendedRequestId(),
    requestTime: apigw.AccessLogField.contextRequestTime(),
    ip: apigw.AccessLogField.contextIdentitySourceIp(),
    userAgent: apigw.AccessLogField.contextIdentityUserAgent(),
    httpMethod: apigw.AccessLogField.contextHttpMethod(),
    resourcePath: apigw.AccessLogField.contextResourcePath(),
    status: apigw.AccessLogField.contextStatus(),
    protocol: apigw.AccessLogField.contextProtocol(),
    responseLength: apigw.AccessLogField.contextResponseLength(),
    responseLatencyMs: apigw.AccessLogField.contextResponseLatency(),
    integrationLatencyMs: apigw.AccessLogField.contextIntegrationLatency(),
    integrationStatus: apigw.AccessLogField.contextIntegrationStatus(),
    apiKeyId: apigw.AccessLogField.contextIdentityApiKeyId(),
    cognitoSub: apigw.AccessLogField.contextAuthorizerClaims('sub'),
    errorType: apigw.AccessLogField.contextErrorResponseType(),
    errorMessage: apigw.AccessLogField.contextErrorMessage(),
    wafStatus: apigw.AccessLogField.contextWafResponseCode(),
    xrayTraceId: apigw.AccessLogField.contextXrayTraceId(),
  }),
);
