import { Annotations, Duration, Lazy, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, type IConstruct } from 'constructs';
import { type ChatApiConfig, REST_INTEGRATION_TIMEOUT_SECONDS } from '../../config/chat-config';
import type { KassFunction, KassFunctionDefaults } from '../kass-function';
import { type ApiGatewayAccountLogging, accessLogGroupName } from './api-gateway-account';
import type { ChatFunctions } from './chat-functions';
import { addGatewayResponses } from './gateway-responses';
import { chatRequestModel, searchRequestModel } from './request-models';

export interface ChatRestApiProps {
  /** Stage name: the REST stage name and part of the API's description. */
  readonly stage: string;
  readonly config: ChatApiConfig;
  readonly functionDefaults: KassFunctionDefaults;
  /** The Lambdas the routes integrate with. */
  readonly functions: ChatFunctions;
  /** Cognito sign-in on every method but /health. @default - API keys only */
  readonly userPool?: cognito.IUserPool;
  /** The account's API Gateway logging role, when this stack manages it: the stage is created after it. */
  readonly accountLogging?: ApiGatewayAccountLogging;
}

/** Reason shared by the API-key-only acknowledgements (dev: Cognito off). */
const KEYS_ONLY_REASON =
  'Cognito is off in this stage (chatApi.cognito.enabled=false): machine clients are identified by API keys ' +
  'that API Gateway checks against a usage plan with throttle and quota before the Lambda runs; the owner of ' +
  'a conversation is the app named by the key id. Prod enables the Cognito authorizer on this method.';

/**
 * The chat REST API: `POST /chat` (one agent turn, answered inside the 29 s integration timeout),
 * `POST /search` (ranked knowledge-base chunks), `GET /conversations/{conversationId}` (the caller's own
 * stored turns) and `GET /health`. API keys on every method but /health (the usage plan is `ChatApiKeys`),
 * optional Cognito sign-in, request models and validators, explicit stage throttling, JSON access logs,
 * X-Ray, CORS for the configured origins only, JSON gateway responses, a 5XX alarm.
 */
export class ChatRestApi extends Construct {
  public readonly api: apigw.RestApi;
  public readonly accessLogs: logs.LogGroup;
  public readonly executionLogs: logs.LogGroup;
  public readonly serverErrorAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: ChatRestApiProps) {
    super(scope, id);
    const { config, stage } = props;
    const logRemoval = props.functionDefaults.retainLogs ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    // Access logs are written with the account's API Gateway role, like execution logs: the group is named under
    // a prefix that role may write (`accessLogGroupName`), or API Gateway drops the records. The name carries the
    // API id (known once the API exists), so a retained group never blocks a later deploy.
    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      logGroupName: Lazy.string({ produce: () => accessLogGroupName(this.api.restApiId, stage) }),
      retention: props.functionDefaults.logRetentionDays as logs.RetentionDays,
      removalPolicy: logRemoval,
    });

    const origins = config.allowedOrigins;
    if (origins.length > 0 && !config.cognito.enabled) {
      // The config schema refuses this unless browserOriginsWithoutCognito is warn (dev).
      Annotations.of(this).addWarningV2(
        'kass:browser-origins-with-api-keys',
        `chatApi.allowedOrigins (${origins.join(', ')}) lets browsers call an API that accepts API keys only: ` +
          'the key ships in the web page. Fine for a local page in dev; anywhere else enable chatApi.cognito.',
      );
    }
    this.api = new apigw.RestApi(this, 'Api', {
      description: `KASS chat API (${stage}): /chat, /search, /conversations, /health`,
      endpointTypes: [apigw.EndpointType.REGIONAL],
      // The account-level role is managed deliberately (ApiGatewayAccountLogging) or already exists.
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
    if (props.accountLogging) this.api.deploymentStage.node.addDependency(props.accountLogging.account);

    addGatewayResponses(this.api, origins);

    const authorizer = props.userPool
      ? new apigw.CognitoUserPoolsAuthorizer(this, 'CognitoAuthorizer', {
          cognitoUserPools: [props.userPool],
          identitySource: apigw.IdentitySource.header('Authorization'),
          resultsCacheTtl: Duration.minutes(5),
        })
      : undefined;
    this.addRoutes(config, props.functions, authorizer);
    this.acknowledgeFindings(config);

    this.serverErrorAlarm = new cloudwatch.Alarm(this, 'ServerErrorAlarm', {
      alarmDescription: `KASS chat API (${stage}) answered 5XX: check the chat/search function logs and X-Ray.`,
      metric: this.api.metricServerError({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
      threshold: 5,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }

  /** The REST endpoint, e.g. `https://<id>.execute-api.<region>.amazonaws.com/<stage>/`. */
  public get url(): string {
    return this.api.url;
  }

  private addRoutes(
    config: ChatApiConfig,
    functions: ChatFunctions,
    authorizer: apigw.CognitoUserPoolsAuthorizer | undefined,
  ): void {
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
    // Reads of the caller's own conversations: with Cognito the token alone is enough, so the web page (which
    // holds no API key) can list and re-read them, as it already streams over WebSocket with the token alone.
    const ownReads: Partial<apigw.MethodOptions> = authorizer
      ? { ...guarded, apiKeyRequired: false }
      : guarded;
    const lambda = (f: KassFunction, timeoutSeconds = REST_INTEGRATION_TIMEOUT_SECONDS) =>
      new apigw.LambdaIntegration(f.function, {
        proxy: true,
        allowTestInvoke: false,
        timeout: Duration.seconds(timeoutSeconds),
      });

    this.api.root.addResource('chat').addMethod('POST', lambda(functions.chatFunction), {
      ...guarded,
      operationName: 'Chat',
      requestValidator: validateAll,
      requestModels: { 'application/json': chatRequestModel(this.api, config.limits) },
    });
    this.api.root.addResource('search').addMethod('POST', lambda(functions.searchFunction), {
      ...guarded,
      operationName: 'Search',
      requestValidator: validateAll,
      requestModels: { 'application/json': searchRequestModel(this.api, config.limits) },
    });
    const conversations = this.api.root.addResource('conversations');
    conversations.addMethod('GET', lambda(functions.listConversationsFunction), {
      ...ownReads,
      operationName: 'ListConversations',
      requestValidator: validateParameters,
      requestParameters: {
        'method.request.querystring.userId': false,
        'method.request.querystring.limit': false,
        'method.request.querystring.nextToken': false,
      },
    });
    conversations.addResource('{conversationId}').addMethod('GET', lambda(functions.conversationsFunction), {
      ...ownReads,
      operationName: 'GetConversation',
      requestValidator: validateParameters,
      requestParameters: {
        'method.request.path.conversationId': true,
        'method.request.querystring.userId': false,
        'method.request.querystring.nextToken': false,
      },
    });
    this.api.root.addResource('health').addMethod('GET', lambda(functions.healthFunction), {
      operationName: 'Health',
      apiKeyRequired: false,
      authorizationType: apigw.AuthorizationType.NONE,
      requestValidator: validateParameters,
    });
  }

  private acknowledgeFindings(config: ChatApiConfig): void {
    const method = (path: string, verb: string): IConstruct =>
      this.api.root.resourceForPath(path).node.findChild(verb);
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
        ['/conversations', 'GET'],
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

/** One access-log record per request, as JSON; no query strings, headers or bodies (keys and prompts). */
export const ACCESS_LOG_FORMAT = apigw.AccessLogFormat.custom(
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
    // No Cognito claims (sub, email) or app user ids: the Lambdas log conversation ids, which is enough.
    errorType: apigw.AccessLogField.contextErrorResponseType(),
    errorMessage: apigw.AccessLogField.contextErrorMessage(),
    wafStatus: apigw.AccessLogField.contextWafResponseCode(),
    xrayTraceId: apigw.AccessLogField.contextXrayTraceId(),
  }),
);
