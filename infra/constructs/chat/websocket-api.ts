import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as authorizers from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import * as integrations from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambdaDestinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  WS_AUTHORIZER_ENV,
  WS_CONNECTIONS_ENV,
  WS_MESSAGE_ENV,
  WS_TURN_ENV,
  WS_TURN_FAILURE_ENV,
} from '../../../contracts/function-env';
import type { ChatApiConfig } from '../../config/chat-config';
import { KassFunction, type KassFunctionDefaults } from '../kass-function';
import { type AgentEndpoint, agentEnvInput, grantInvokeAgent } from './agent-endpoint';
import { accessLogGroupName } from './api-gateway-account';
import { identifyApps, operatorsInput } from './caller-identity';
import type { ApiKeyApps } from './chat-api-keys';
import { grantTable, grantTurnWrites } from './grants';
import { exactFunctionDestination, WS_ACCESS_LOG_FORMAT } from './websocket-access';
import { webSocketAlarms } from './websocket-alarms';
import { acknowledgeWebSocketFindings } from './websocket-findings';

/** What the turn worker and failure notifier call: the public management endpoint (no VPC endpoint serves it). */
const POST_TO_CONNECTION = 'the WebSocket API’s management endpoint (PostToConnection)';

/** The query-string parameter that carries the credential on `$connect` (browsers cannot set headers). */
export const CONNECT_TOKEN_PARAMETER = 'token';

/**
 * How `$connect` is authorised.
 * - `api-keys`: `?token=<API key>`. The authorizer Lambda names the key's app (it reads the configured keys'
 *   values once, see `identifyApps`); API Gateway itself checks that the key exists, is enabled and belongs to
 *   a usage plan of this stage (the chat API's plan), exactly like REST.
 * - `cognito`: `?token=<Cognito ID token>`, verified by the authorizer (signature, issuer, audience, expiry).
 */
export type WebSocketAuthentication =
  | { readonly kind: 'api-keys' }
  | { readonly kind: 'cognito'; readonly userPoolId: string; readonly clientIds: readonly string[] };

export interface KassWebSocketApiProps {
  /** Stage name of the WebSocket API. */
  readonly stage: string;
  /** The chat API settings (`websocket`, `limits`, `light`, `conversationTtlDays`, `methodLoggingLevel`). */
  readonly config: ChatApiConfig;
  readonly functionDefaults: KassFunctionDefaults;
  readonly agent: AgentEndpoint;
  readonly conversations: dynamodb.ITable;
  readonly agentState: dynamodb.ITable;
  readonly connections: dynamodb.ITable;
  readonly authentication: WebSocketAuthentication;
  /**
   * The account's API Gateway CloudWatch role setting, when this stack manages it: the stage (which turns on
   * execution logging) is created after it. @default - the account already has the role
   */
  readonly accountSettings?: apigw.CfnAccount;
  /** Where alarms notify. @default - alarms without actions */
  readonly alarmTopic?: sns.ITopic;
}

/**
 * The streaming chat API over WebSocket. `$connect` is authorised (see {@link WebSocketAuthentication}) and
 * records the connection's owner in the Connections table; `$disconnect` removes it. `sendMessage`
 * (`{"action":"sendMessage","message":…,"conversationId"?:…}`, or `{"action":"sendMessage","conversationId":…,
 * "confirmation":{"id":…,"confirm":…}}` answering a tool confirmation) is accepted by a fast ingress Lambda,
 * which answers `{type:'accepted'}` (or a 400 `{type:'error'}`) on the route response and hands the turn
 * asynchronously to the turn worker: the worker outlives the 29 s integration timeout and posts
 * `{type:'chunk',text}` frames in order, then `{type:'final',answer,citations,conversationId}`,
 * `{type:'confirmation',id,tool,operation,inputs,prompt,expiresAt,conversationId}` (or
 * `{type:'error',status,error}`) with PostToConnection. Failed async invocations land in a DLQ that alarms.
 * The routes have no request models: the ingress validates every frame (the same zod contract as /chat).
 */
export class KassWebSocketApi extends Construct {
  public readonly api: apigwv2.WebSocketApi;
  public readonly stage: apigwv2.WebSocketStage;
  public readonly accessLogs: logs.LogGroup;
  public readonly executionLogs: logs.LogGroup;
  public readonly authorizerFunction: KassFunction;
  public readonly connectionsFunction: KassFunction;
  public readonly messageFunction: KassFunction;
  public readonly turnFunction: KassFunction;
  /**
   * The turn worker's on-failure destination: tells the client of a turn event Lambda gave up on (too old,
   * throttled, crashed) to send the message again.
   */
  public readonly turnFailureFunction: KassFunction;
  /** Failure records the failure notifier itself could not handle. */
  public readonly turnDeadLetterQueue: sqs.Queue;
  public readonly turnDeadLetterAlarm: cloudwatch.Alarm;
  public readonly errorAlarm: cloudwatch.Alarm;
  public readonly turnThrottleAlarm: cloudwatch.Alarm;
  private readonly authentication: WebSocketAuthentication;
  private usagePlanBound = false;

  constructor(scope: Construct, id: string, props: KassWebSocketApiProps) {
    super(scope, id);
    const { config, stage, authentication } = props;
    const ws = config.websocket;
    const stack = Stack.of(this);
    const logRemoval = props.functionDefaults.retainLogs ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const house = (entry: string, description: string, serviceName: string) => ({
      ...props.functionDefaults,
      entry,
      description,
      serviceName: `kass-${serviceName}`,
      settings: config.light,
    });

    this.authorizerFunction = new KassFunction(this, 'AuthorizerFunction', {
      ...house(
        'functions/websocket/authorizer.ts',
        'WebSocket $connect authorizer (API key or Cognito token)',
        'ws-authorizer',
      ),
      environment: WS_AUTHORIZER_ENV.environment({
        ...operatorsInput(config),
        ...(authentication.kind === 'cognito'
          ? { mode: 'cognito', userPoolId: authentication.userPoolId, clientIds: authentication.clientIds }
          : { mode: 'api-keys' }),
      }),
      // Cognito mode fetches the user pool's signing keys from its public JWKS URL (no PrivateLink for it).
      ...(authentication.kind === 'cognito'
        ? { internetAccess: 'the Cognito user pool’s public keys (JWKS)' }
        : {}),
    });

    this.connectionsFunction = new KassFunction(this, 'ConnectionsFunction', {
      ...house(
        'functions/websocket/connections-handler.ts',
        'WebSocket $connect/$disconnect: connection records',
        'ws-connections',
      ),
      environment: WS_CONNECTIONS_ENV.environment({
        connectionsTable: props.connections.tableName,
        connectionTtlHours: ws.connectionTtlHours,
      }),
    });
    grantTable(this.connectionsFunction, props.connections, ['dynamodb:PutItem', 'dynamodb:DeleteItem']);

    this.turnDeadLetterQueue = new sqs.Queue(this, 'TurnDeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.turnFunction = new KassFunction(this, 'TurnFunction', {
      ...house(
        'functions/websocket/turn-handler.ts',
        'WebSocket chat turn: streams the agent answer to the connection',
        'ws-turn',
      ),
      settings: { memoryMb: ws.turn.memoryMb, timeoutSeconds: ws.turn.timeoutSeconds },
      reservedConcurrentExecutions: ws.turn.reservedConcurrency,
      internetAccess: POST_TO_CONNECTION,
      environment: WS_TURN_ENV.environment({
        ...agentEnvInput(props.agent),
        conversationsTable: props.conversations.tableName,
        agentStateTable: props.agentState.tableName,
        conversationTtlDays: config.conversationTtlDays,
        deadlineSeconds: ws.turn.agentDeadlineSeconds,
        // One switch for both channels: chatApi.chat.confirmations.
        confirmations: config.chat.confirmations,
        // A turn holds its session for as long as this function can run.
        leaseSeconds: ws.turn.timeoutSeconds,
        maxStartDelaySeconds: ws.turn.maxStartDelaySeconds,
      }),
    });
    this.turnFailureFunction = new KassFunction(this, 'TurnFailureFunction', {
      ...house(
        'functions/websocket/turn-failure-handler.ts',
        'WebSocket turn failures: tells a client whose turn could not start to send it again',
        'ws-turn-failure',
      ),
      internetAccess: POST_TO_CONNECTION,
      environment: WS_TURN_FAILURE_ENV.environment({
        agentStateTable: props.agentState.tableName,
        conversationTtlDays: config.conversationTtlDays,
      }),
    });
    grantTable(this.turnFailureFunction, props.agentState, ['dynamodb:GetItem']);
    // A failure record it cannot post lands in the DLQ (and alarms); one retry for a passing network fault.
    this.turnFailureFunction.function.configureAsyncInvoke({
      retryAttempts: 1,
      maxEventAge: Duration.hours(1),
      onFailure: new lambdaDestinations.SqsDestination(this.turnDeadLetterQueue),
    });
    // A turn is not idempotent (it would answer twice): no retries. An event Lambda could not hand to the
    // worker within a minute (the least it allows: throttled, concurrency full) never runs late; it goes to
    // the notifier, which tells the client to retry. The worker itself refuses jobs older than
    // maxStartDelaySeconds.
    this.turnFunction.function.configureAsyncInvoke({
      retryAttempts: 0,
      maxEventAge: Duration.seconds(60),
      onFailure: exactFunctionDestination(this.turnFailureFunction.function),
    });
    grantInvokeAgent(this.turnFunction, props.agent);
    grantTurnWrites(this.turnFunction, props.conversations, props.agentState);

    this.messageFunction = new KassFunction(this, 'MessageFunction', {
      ...house(
        'functions/websocket/message-handler.ts',
        'WebSocket sendMessage: validates and hands the turn to the worker',
        'ws-message',
      ),
      environment: WS_MESSAGE_ENV.environment({
        connectionsTable: props.connections.tableName,
        turnFunctionName: this.turnFunction.function.functionName,
        maxMessageChars: config.limits.maxMessageChars,
      }),
    });
    grantTable(this.messageFunction, props.connections, ['dynamodb:GetItem']);
    // Exactly the function (an L2 grantInvoke also allows every version and alias: `<arn>:*`).
    this.messageFunction.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: [this.turnFunction.function.functionArn],
      }),
    );

    const connections = new integrations.WebSocketLambdaIntegration(
      'Connections',
      this.connectionsFunction.function,
    );
    const messages = new integrations.WebSocketLambdaIntegration('Messages', this.messageFunction.function, {
      timeout: Duration.seconds(10),
    });
    this.api = new apigwv2.WebSocketApi(this, 'Api', {
      description: `KASS chat WebSocket API (${stage}): streamed agent turns`,
      routeSelectionExpression: '$request.body.action',
      ...(authentication.kind === 'api-keys'
        ? {
            apiKeySelectionExpression:
              apigwv2.WebSocketApiKeySelectionExpression.AUTHORIZER_USAGE_IDENTIFIER_KEY,
          }
        : {}),
      disconnectRouteOptions: { integration: connections },
      // Unknown actions get a 400 frame from the same ingress instead of silence.
      defaultRouteOptions: { integration: messages, returnResponse: true },
    });
    new apigwv2.WebSocketRoute(this, 'ConnectRoute', {
      webSocketApi: this.api,
      routeKey: '$connect',
      integration: connections,
      authorizer: new authorizers.WebSocketLambdaAuthorizer('Authorizer', this.authorizerFunction.function, {
        identitySource: [`route.request.querystring.${CONNECT_TOKEN_PARAMETER}`],
      }),
      apiKeyRequired: authentication.kind === 'api-keys',
    });
    this.api.addRoute('sendMessage', { integration: messages, returnResponse: true });

    // Under a prefix the account's API Gateway logging role may write, or the access logs are dropped.
    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      logGroupName: accessLogGroupName(this.api.apiId, stage),
      retention: props.functionDefaults.logRetentionDays as logs.RetentionDays,
      removalPolicy: logRemoval,
    });
    this.executionLogs = new logs.LogGroup(this, 'ExecutionLogs', {
      logGroupName: `/aws/apigateway/${this.api.apiId}/${stage}`,
      retention: props.functionDefaults.logRetentionDays as logs.RetentionDays,
      removalPolicy: logRemoval,
    });
    this.stage = new apigwv2.WebSocketStage(this, 'Stage', {
      webSocketApi: this.api,
      stageName: stage,
      autoDeploy: true,
      description: `KASS chat WebSocket stage (${stage})`,
      throttle: { rateLimit: ws.throttle.rateLimit, burstLimit: ws.throttle.burstLimit },
      detailedMetricsEnabled: true,
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(this.accessLogs),
        format: WS_ACCESS_LOG_FORMAT,
      },
    });
    const cfnStage = this.stage.node.defaultChild as apigwv2.CfnStage;
    cfnStage.addPropertyOverride('DefaultRouteSettings.LoggingLevel', config.methodLoggingLevel);
    cfnStage.addPropertyOverride('DefaultRouteSettings.DataTraceEnabled', false);
    this.stage.node.addDependency(this.executionLogs);
    if (props.accountSettings) this.stage.node.addDependency(props.accountSettings);

    // PostToConnection on this stage's connections only.
    const connectionsArn = stack.formatArn({
      service: 'execute-api',
      resource: this.api.apiId,
      resourceName: `${stage}/POST/@connections/*`,
    });
    for (const f of [this.turnFunction, this.turnFailureFunction]) {
      f.role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['execute-api:ManageConnections'], resources: [connectionsArn] }),
      );
    }

    acknowledgeWebSocketFindings(this, {
      api: this.api,
      connectionsArn,
      postingFunctions: [this.turnFunction, this.turnFailureFunction],
      turnDeadLetterQueue: this.turnDeadLetterQueue,
    });

    ({
      errorAlarm: this.errorAlarm,
      turnDeadLetterAlarm: this.turnDeadLetterAlarm,
      turnThrottleAlarm: this.turnThrottleAlarm,
    } = webSocketAlarms(this, {
      apiId: this.api.apiId,
      stage,
      turnDeadLetterQueue: this.turnDeadLetterQueue,
      turnFunction: this.turnFunction,
    }));
    this.authentication = authentication;
    if (props.alarmTopic) {
      const action = new cloudwatchActions.SnsAction(props.alarmTopic);
      for (const alarm of [this.errorAlarm, this.turnDeadLetterAlarm, this.turnThrottleAlarm])
        alarm.addAlarmAction(action);
    }

    this.node.addValidation({
      validate: () =>
        authentication.kind === 'api-keys' && !this.usagePlanBound
          ? [
              'KassWebSocketApi: with API-key authentication the stage must be added to a usage plan ' +
                '(addToUsagePlan); otherwise API Gateway rejects every $connect.',
            ]
          : [],
    });
  }

  /** `wss://<id>.execute-api.<region>.amazonaws.com/<stage>` */
  public get url(): string {
    return this.stage.url;
  }

  /** `https://…/<stage>`: the management endpoint PostToConnection calls. */
  public get callbackUrl(): string {
    return this.stage.callbackUrl;
  }

  /**
   * API-key mode: lets the authorizer name the app of a key. It receives only the key value, so it reads the
   * values of exactly these keys (`apigateway:GET` on each key, no wildcard) once per cold start.
   */
  public identifyApps(apps: ApiKeyApps): void {
    if (this.authentication.kind !== 'api-keys') return;
    identifyApps([this.authorizerFunction], apps);
    const stack = Stack.of(this);
    this.authorizerFunction.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['apigateway:GET'],
        resources: apps.keys.map((key) =>
          stack.formatArn({
            service: 'apigateway',
            account: '',
            resource: '/apikeys',
            resourceName: key.keyId,
          }),
        ),
      }),
    );
  }

  /**
   * Adds this stage to a REST usage plan, so its API keys (and only those) open connections. API Gateway
   * checks the key returned by the authorizer against the plan on every `$connect`.
   */
  public addToUsagePlan(plan: apigw.UsagePlan): void {
    const cfnPlan = plan.node.defaultChild as apigw.CfnUsagePlan;
    const existing = Stack.of(this).resolve(cfnPlan.apiStages) as unknown[] | undefined;
    cfnPlan.addPropertyOverride(`ApiStages.${existing?.length ?? 0}`, {
      ApiId: this.api.apiId,
      Stage: this.stage.stageName,
    });
    plan.node.addDependency(this.stage);
    this.usagePlanBound = true;
  }
}
