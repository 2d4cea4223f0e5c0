import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as events from 'aws-cdk-lib/aws-events';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { INTERACTIONS_OPERATION, INTERACTIONS_PATH } from '../../contracts/discord';
import { DISCORD_INGRESS_ENV } from '../../contracts/function-env';
import type { EnabledDiscordConfig } from '../config/discord-config';
import type { ApiGatewayAccountLogging } from './chat/api-gateway-account';
import { ACCESS_LOG_FORMAT } from './chat/chat-rest-api';
import { KassFunction, type KassFunctionDefaults } from './kass-function';

/** Discord's deadline for the first answer to an interaction. */
export const DISCORD_DEADLINE_SECONDS = 3;

/** The ingress's own timeout (checklist 10: at most Discord's deadline). */
export const INGRESS_TIMEOUT_SECONDS = 3;

/** p99 latency above this (ms) leaves too little of Discord's 3 s for the network: alarm. */
const LATENCY_ALARM_MS = 2_500;

export interface DiscordInteractionsApiProps {
  readonly stage: string;
  readonly config: EnabledDiscordConfig;
  readonly functionDefaults: KassFunctionDefaults;
  /** Execution-log level of the method (data tracing stays off: bodies hold questions). */
  readonly methodLoggingLevel: 'INFO' | 'ERROR';
  /** Where the ingress puts the jobs for the worker. */
  readonly bus: events.IEventBus;
  /** Longest question the ingress accepts (characters). */
  readonly maxQuestionChars: number;
  /** The account's API Gateway logging role, when this stack manages it: the stage is created after it. */
  readonly accountLogging?: ApiGatewayAccountLogging;
}

/**
 * Discord's interactions endpoint: a REST API of its own with one route, `POST /interactions`, whose
 * validator requires `X-Signature-Ed25519` and `X-Signature-Timestamp` and a JSON object with a `type` (a
 * request without them is answered 401 by API Gateway itself, as Discord expects) and whose Lambda verifies the Ed25519 signature, answers
 * within Discord's 3 s and hands the work to the event bus. Authorization is NONE on purpose: the signature,
 * which needs the raw body, is the authentication. Its own stage throttle, JSON access logs, X-Ray, alarms on
 * p99 latency against the 3 s deadline and on 5XX.
 */
export class DiscordInteractionsApi extends Construct {
  public readonly api: apigw.RestApi;
  public readonly ingress: KassFunction;
  public readonly accessLogs: logs.LogGroup;
  public readonly executionLogs: logs.LogGroup;
  public readonly latencyAlarm: cloudwatch.Alarm;
  public readonly serverErrorAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: DiscordInteractionsApiProps) {
    super(scope, id);
    const { config, stage } = props;
    const logRemoval = props.functionDefaults.retainLogs ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const level = apigw.MethodLoggingLevel[props.methodLoggingLevel];

    this.ingress = new KassFunction(this, 'IngressFunction', {
      ...props.functionDefaults,
      entry: 'functions/discord/interactions-handler.ts',
      description: 'Discord interactions: verifies the signature, answers within 3 s, hands off the work',
      serviceName: 'kass-discord-ingress',
      settings: { memoryMb: config.ingress.memoryMb, timeoutSeconds: INGRESS_TIMEOUT_SECONDS },
      environment: DISCORD_INGRESS_ENV.environment({
        // The public key is public (it only verifies); the bot token never reaches this function.
        publicKey: config.publicKey,
        applicationId: config.applicationId,
        guildIds: config.guildIds,
        maxMessageChars: props.maxQuestionChars,
        eventBusName: props.bus.eventBusName,
      }),
    });
    props.bus.grantPutEventsTo(this.ingress.function);

    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.functionDefaults.logRetentionDays as logs.RetentionDays,
      removalPolicy: logRemoval,
    });
    this.api = new apigw.RestApi(this, 'Api', {
      description: `KASS Discord interactions (${stage}): POST /${INTERACTIONS_PATH}`,
      endpointTypes: [apigw.EndpointType.REGIONAL],
      cloudWatchRole: false,
      deployOptions: {
        stageName: stage,
        tracingEnabled: true,
        metricsEnabled: true,
        loggingLevel: level,
        dataTraceEnabled: false,
        throttlingRateLimit: config.throttle.rateLimit,
        throttlingBurstLimit: config.throttle.burstLimit,
        accessLogDestination: new apigw.LogGroupLogDestination(this.accessLogs),
        accessLogFormat: ACCESS_LOG_FORMAT,
      },
    });
    this.executionLogs = new logs.LogGroup(this, 'ExecutionLogs', {
      logGroupName: `API-Gateway-Execution-Logs_${this.api.restApiId}/${stage}`,
      retention: props.functionDefaults.logRetentionDays as logs.RetentionDays,
      removalPolicy: logRemoval,
    });
    this.api.deploymentStage.node.addDependency(this.executionLogs);
    if (props.accountLogging) this.api.deploymentStage.node.addDependency(props.accountLogging.account);

    this.addGatewayResponses();
    const signedInteraction = this.api.addRequestValidator('SignedInteraction', {
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    // Every interaction is a JSON object with an integer `type` (1 = PING); the Lambda reads the rest.
    const interactionModel = this.api.addModel('Interaction', {
      contentType: 'application/json',
      description: 'A Discord interaction (checked in full by the Lambda after the signature)',
      schema: {
        schema: apigw.JsonSchemaVersion.DRAFT4,
        title: 'Interaction',
        type: apigw.JsonSchemaType.OBJECT,
        required: ['type'],
        properties: { type: { type: apigw.JsonSchemaType.INTEGER, minimum: 1 } },
      },
    });
    const method = this.api.root.addResource(INTERACTIONS_PATH).addMethod(
      'POST',
      new apigw.LambdaIntegration(this.ingress.function, {
        proxy: true,
        allowTestInvoke: false,
        timeout: Duration.seconds(DISCORD_DEADLINE_SECONDS),
      }),
      {
        operationName: INTERACTIONS_OPERATION,
        authorizationType: apigw.AuthorizationType.NONE,
        apiKeyRequired: false,
        requestValidator: signedInteraction,
        requestModels: { 'application/json': interactionModel },
        requestParameters: {
          'method.request.header.X-Signature-Ed25519': true,
          'method.request.header.X-Signature-Timestamp': true,
        },
      },
    );

    const reason =
      'Discord calls this route without AWS credentials or tokens; every request is authenticated by the ' +
      'Ed25519 signature over timestamp + raw body, checked in the Lambda (a REST request authorizer does not ' +
      'receive the body), and unsigned requests are refused by the header validator.';
    Validations.of(method).acknowledge(
      { id: 'AwsSolutions-APIG4', reason },
      { id: 'AwsSolutions-COG4', reason: `No Cognito user calls this route. ${reason}` },
    );
    Validations.of(this.api.deploymentStage).acknowledge({
      id: 'AwsSolutions-APIG3',
      reason:
        'All traffic comes from Discord’s servers, so per-IP WAF rules would block Discord itself; unsigned ' +
        'requests stop at the header validator or the signature check, and the stage throttle caps the rest.',
    });

    this.latencyAlarm = new cloudwatch.Alarm(this, 'LatencyAlarm', {
      alarmDescription: `KASS Discord interactions (${stage}): p99 latency near Discord's 3 s deadline; check the ingress function (cold starts, EventBridge).`,
      metric: this.api.metricLatency({ period: Duration.minutes(5), statistic: 'p99' }),
      threshold: LATENCY_ALARM_MS,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.serverErrorAlarm = new cloudwatch.Alarm(this, 'ServerErrorAlarm', {
      alarmDescription: `KASS Discord interactions (${stage}) answered 5XX: Discord users saw "interaction failed"; check the ingress logs.`,
      metric: this.api.metricServerError({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }

  /** `https://<id>.execute-api.<region>.amazonaws.com/<stage>/interactions`: paste it in the Developer Portal. */
  public get interactionsUrl(): string {
    return this.api.urlForPath(`/${INTERACTIONS_PATH}`);
  }

  /**
   * JSON errors. A request the validator stops (no signature headers, not an interaction) never had its
   * signature checked: 401, as Discord expects for any unverified request.
   */
  private addGatewayResponses(): void {
    const body = (error: string) => `{"error":"${error}","requestId":"$context.requestId"}`;
    const responses: [string, apigw.ResponseType, string | undefined, string][] = [
      [
        'MissingSignature',
        apigw.ResponseType.BAD_REQUEST_PARAMETERS,
        '401',
        body('invalid request signature'),
      ],
      ['NotAnInteraction', apigw.ResponseType.BAD_REQUEST_BODY, '401', body('invalid request signature')],
      ['Throttled', apigw.ResponseType.THROTTLED, '429', body('Too many requests')],
      [
        'IntegrationTimeout',
        apigw.ResponseType.INTEGRATION_TIMEOUT,
        '504',
        body('The request took too long'),
      ],
      ['Default4xx', apigw.ResponseType.DEFAULT_4XX, undefined, body('The request was rejected')],
      ['Default5xx', apigw.ResponseType.DEFAULT_5XX, undefined, body('Internal error')],
    ];
    for (const [rid, type, statusCode, template] of responses) {
      this.api.addGatewayResponse(rid, {
        type,
        ...(statusCode ? { statusCode } : {}),
        templates: { 'application/json': template },
      });
    }
  }
}
