import type { CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import {
  type ChatApiConfigInput,
  ChatApiConfigSchema,
  DEV_CHAT_API,
  PROD_CHAT_API,
} from '../../infra/config/chat-config';
import { KassWebSocketApi } from '../../infra/constructs/chat/websocket-api';
import { ChatData } from '../../infra/constructs/chat-data';
import { Data } from '../../infra/constructs/data';
import { composeChatApis } from '../../infra/stacks/chat-composition';
import { testApp, testStack } from '../support/cdk';

type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] };

const AGENT = {
  agentId: 'AGENT12345',
  aliasId: 'ALIAS12345',
  aliasArn: 'arn:aws:bedrock:us-east-1:123456789012:agent-alias/AGENT12345/ALIAS12345',
};

/** The WebSocket API as ChatApi builds it (with its authentication and usage plan). */
function build(input: ChatApiConfigInput) {
  const stack = testStack(testApp());
  const data = new Data(stack, 'Data', { retainData: false });
  const chatData = new ChatData(stack, 'ChatData', { retainData: false });
  const chat = composeChatApis(stack, {
    stage: 'dev',
    config: ChatApiConfigSchema.parse(input),
    functionDefaults: { logLevel: 'INFO', logRetentionDays: 14, retainLogs: false },
    retainData: false,
    agent: AGENT,
    knowledgeBase: {
      knowledgeBaseId: 'KB12345678',
      knowledgeBaseArn: 'arn:aws:bedrock:us-east-1:123456789012:knowledge-base/KB12345678',
      vectorStore: 'opensearch-serverless',
    },
    conversations: data.conversations,
    agentState: chatData.agentState,
    connections: chatData.connections,
    version: '1.2.3',
  });
  const ws = chat.webSocket;
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources as Record<string, Resource>;
  const id = (c: IConstruct) => stack.getLogicalId((c.node.defaultChild ?? c) as CfnElement);
  const resource = (c: IConstruct) => resources[id(c)] as Resource;
  const route = (key: string) =>
    Object.values(resources).find(
      (r) => r.Type === 'AWS::ApiGatewayV2::Route' && r.Properties.RouteKey === key,
    ) as Resource | undefined;
  const statementsOf = (role: IConstruct) =>
    Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles).includes(id(role)))
      .flatMap(
        (p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[],
      )
      .filter((s) => ![s.Action].flat().some((a) => a.startsWith('xray:') || a.startsWith('logs:')));
  return { stack, data, chatData, chat, ws, template, resources, id, resource, route, statementsOf };
}

type Built = ReturnType<typeof build>;

describe('Class: KassWebSocketApi', () => {
  let dev: Built;
  let prod: Built;
  beforeAll(() => {
    dev = build(DEV_CHAT_API);
    prod = build(PROD_CHAT_API);
  });

  describe('Routes', () => {
    it('has $connect, $disconnect, sendMessage and $default routes selected by body.action', () => {
      expect(dev.resource(dev.ws.api).Properties).toMatchObject({
        ProtocolType: 'WEBSOCKET',
        RouteSelectionExpression: '$request.body.action',
      });
      const keys = Object.values(dev.template.findResources('AWS::ApiGatewayV2::Route'))
        .map((r) => r.Properties.RouteKey as string)
        .sort();
      expect(keys).toEqual(['$connect', '$default', '$disconnect', 'sendMessage']);
    });

    it('authorises $connect with the Lambda REQUEST authorizer reading ?token=, and only $connect', () => {
      const authorizerId = Object.keys(dev.template.findResources('AWS::ApiGatewayV2::Authorizer'))[0];
      dev.template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
        AuthorizerType: 'REQUEST',
        IdentitySource: ['route.request.querystring.token'],
      });
      expect(dev.route('$connect')?.Properties).toMatchObject({
        AuthorizationType: 'CUSTOM',
        AuthorizerId: { Ref: authorizerId },
        ApiKeyRequired: true,
      });
      for (const key of ['$disconnect', '$default', 'sendMessage']) {
        expect(dev.route(key)?.Properties.AuthorizerId).toBeUndefined();
      }
    });

    it('checks the API key the authorizer returns against the usage plan (API-key mode)', () => {
      expect(dev.resource(dev.ws.api).Properties.ApiKeySelectionExpression).toBe(
        '$context.authorizer.usageIdentifierKey',
      );
      expect(dev.resource(dev.ws.authorizerFunction.function).Properties).toMatchObject({
        Environment: { Variables: { AUTH_MODE: 'api-keys', API_KEY_APPS: expect.anything() } },
      });
      // API Gateway does the key check; the authorizer only reads the configured keys to name their app:
      // GET on exactly those keys, nothing else.
      const keyId = dev.id(dev.chat.keys.apiKeys.developer as IConstruct);
      expect(dev.statementsOf(dev.ws.authorizerFunction.role)).toEqual([
        {
          Effect: 'Allow',
          Action: 'apigateway:GET',
          Resource: {
            'Fn::Join': [
              '',
              ['arn:', { Ref: 'AWS::Partition' }, ':apigateway:us-east-1::/apikeys/', { Ref: keyId }],
            ],
          },
        },
      ]);
      expect(prod.statementsOf(prod.ws.authorizerFunction.role)).toEqual([]);
    });

    it('verifies Cognito ID tokens instead when Cognito is on (prod): no API key on $connect', () => {
      expect(prod.resource(prod.ws.api).Properties.ApiKeySelectionExpression).toBeUndefined();
      expect(prod.route('$connect')?.Properties.ApiKeyRequired).toBe(false);
      const env = (
        prod.resource(prod.ws.authorizerFunction.function).Properties.Environment as {
          Variables: Record<string, unknown>;
        }
      ).Variables;
      expect(env).toMatchObject({
        AUTH_MODE: 'cognito',
        COGNITO_USER_POOL_ID: { Ref: prod.id(prod.chat.users?.userPool as IConstruct) },
        COGNITO_CLIENT_IDS: { Ref: prod.id(prod.chat.users?.userPoolClient as IConstruct) },
      });
    });

    it('answers sendMessage and $default on the route response (accepted or a 400 frame)', () => {
      const responses = Object.values(dev.template.findResources('AWS::ApiGatewayV2::RouteResponse'));
      expect(responses).toHaveLength(2);
      const routeIds = responses.map((r) => JSON.stringify(r.Properties.RouteId));
      for (const key of ['sendMessage', '$default']) {
        const logicalId = Object.entries(dev.resources).find(
          ([, r]) => r.Type === 'AWS::ApiGatewayV2::Route' && r.Properties.RouteKey === key,
        )?.[0];
        expect(routeIds).toContain(JSON.stringify({ Ref: logicalId }));
      }
    });
  });

  describe('Stage', () => {
    it('deploys automatically, throttles every route and logs without data tracing', () => {
      expect(dev.resource(dev.ws.stage).Properties).toMatchObject({
        StageName: 'dev',
        AutoDeploy: true,
        DefaultRouteSettings: {
          ThrottlingRateLimit: 10,
          ThrottlingBurstLimit: 5,
          DetailedMetricsEnabled: true,
          LoggingLevel: 'INFO',
          DataTraceEnabled: false,
        },
      });
      expect(prod.resource(prod.ws.stage).Properties).toMatchObject({
        DefaultRouteSettings: { LoggingLevel: 'ERROR', DataTraceEnabled: false, ThrottlingRateLimit: 100 },
      });
    });

    it('writes JSON access logs without the query string (where the token travels)', () => {
      const settings = dev.resource(dev.ws.stage).Properties.AccessLogSettings as {
        DestinationArn: unknown;
        Format: string;
      };
      expect(settings.DestinationArn).toEqual({ 'Fn::GetAtt': [dev.id(dev.ws.accessLogs), 'Arn'] });
      const format = JSON.parse(settings.Format) as Record<string, string>;
      expect(format).toMatchObject({ routeKey: '$context.routeKey', connectionId: '$context.connectionId' });
      expect(settings.Format).not.toMatch(/querystring|token/i);
    });

    it('creates its execution-log group with retention before the stage', () => {
      expect(dev.resource(dev.ws.executionLogs).Properties).toEqual({
        LogGroupName: { 'Fn::Join': ['', ['/aws/apigateway/', { Ref: dev.id(dev.ws.api) }, '/dev']] },
        RetentionInDays: 14,
      });
      expect(dev.resource(dev.ws.stage).DependsOn).toEqual(
        expect.arrayContaining([dev.id(dev.ws.executionLogs)]),
      );
    });
  });

  describe('Functions', () => {
    it('runs turns in a worker (capped by reserved concurrency in prod), invoked asynchronously without retries', () => {
      expect(
        dev.resource(dev.ws.turnFunction.function).Properties.ReservedConcurrentExecutions,
      ).toBeUndefined();
      expect(prod.resource(prod.ws.turnFunction.function).Properties.ReservedConcurrentExecutions).toBe(50);
      expect(dev.resource(dev.ws.turnFunction.function).Properties).toMatchObject({
        Timeout: 180,
        Environment: {
          Variables: {
            AGENT_DEADLINE_SECONDS: '170',
            AGENT_ID: AGENT.agentId,
            TURN_LEASE_SECONDS: '180',
            TURN_MAX_START_DELAY_SECONDS: '30',
          },
        },
      });
      // An event Lambda could not deliver within a minute goes to the failure notifier, never runs late.
      dev.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: dev.id(dev.ws.turnFunction.function) },
        MaximumRetryAttempts: 0,
        MaximumEventAgeInSeconds: 60,
        DestinationConfig: {
          OnFailure: { Destination: { 'Fn::GetAtt': [dev.id(dev.ws.turnFailureFunction.function), 'Arn'] } },
        },
      });
      // The notifier's own failures land in the alarmed DLQ.
      dev.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: dev.id(dev.ws.turnFailureFunction.function) },
        MaximumRetryAttempts: 1,
        DestinationConfig: {
          OnFailure: { Destination: { 'Fn::GetAtt': [dev.id(dev.ws.turnDeadLetterQueue), 'Arn'] } },
        },
      });
    });

    it('lets the worker invoke exactly the notifier, and the notifier post to this stage and read Agent State', () => {
      expect(dev.statementsOf(dev.ws.turnFunction.role)).toContainEqual({
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        Resource: { 'Fn::GetAtt': [dev.id(dev.ws.turnFailureFunction.function), 'Arn'] },
      });
      const notifier = dev.statementsOf(dev.ws.turnFailureFunction.role);
      expect(notifier.map((s) => s.Action)).toEqual(
        expect.arrayContaining(['dynamodb:GetItem', 'execute-api:ManageConnections']),
      );
      expect(JSON.stringify(notifier)).not.toContain('InvokeAgent');
    });

    it('passes the worker the tool-confirmation mode of chatApi.chat (ask by default, deny when set)', () => {
      const mode = (built: Built) =>
        (
          built.resource(built.ws.turnFunction.function).Properties.Environment as {
            Variables: Record<string, unknown>;
          }
        ).Variables.CHAT_CONFIRMATIONS;
      const deny = build({ ...DEV_CHAT_API, chat: { ...DEV_CHAT_API.chat, confirmations: 'deny' } });
      expect(mode(dev)).toBe('ask');
      expect(mode(deny)).toBe('deny');
      // The ingress only validates frames: it needs no mode.
      expect(
        (dev.resource(dev.ws.messageFunction.function).Properties.Environment as { Variables: object })
          .Variables,
      ).not.toHaveProperty('CHAT_CONFIRMATIONS');
    });

    it('lets the ingress invoke exactly the worker and read connection records, nothing more', () => {
      expect(dev.statementsOf(dev.ws.messageFunction.role)).toEqual([
        {
          Effect: 'Allow',
          Action: 'dynamodb:GetItem',
          Resource: { 'Fn::GetAtt': [dev.id(dev.chatData.connections), 'Arn'] },
        },
        {
          Effect: 'Allow',
          Action: 'lambda:InvokeFunction',
          Resource: { 'Fn::GetAtt': [dev.id(dev.ws.turnFunction.function), 'Arn'] },
        },
      ]);
    });

    it('lets the worker post only to this API stage’s connections', () => {
      const manage = dev
        .statementsOf(dev.ws.turnFunction.role)
        .filter((s) => [s.Action].flat().includes('execute-api:ManageConnections'));
      expect(manage).toEqual([
        {
          Effect: 'Allow',
          Action: 'execute-api:ManageConnections',
          Resource: {
            'Fn::Join': [
              '',
              [
                'arn:',
                { Ref: 'AWS::Partition' },
                ':execute-api:us-east-1:123456789012:',
                { Ref: dev.id(dev.ws.api) },
                '/dev/POST/@connections/*',
              ],
            ],
          },
        },
      ]);
      expect(JSON.stringify(dev.statementsOf(dev.ws.turnFunction.role))).toContain('bedrock:InvokeAgent');
    });

    it('records connections with Put/Delete only, with a TTL past the 2-hour connection limit', () => {
      expect(dev.statementsOf(dev.ws.connectionsFunction.role)).toEqual([
        {
          Effect: 'Allow',
          Action: ['dynamodb:PutItem', 'dynamodb:DeleteItem'],
          Resource: { 'Fn::GetAtt': [dev.id(dev.chatData.connections), 'Arn'] },
        },
      ]);
      expect(dev.resource(dev.ws.connectionsFunction.function).Properties).toMatchObject({
        Environment: { Variables: { CONNECTION_TTL_HOURS: '3' } },
      });
    });

    it('keeps failed turns 14 days, encrypted and SSL-only, and alarms on them', () => {
      expect(dev.resource(dev.ws.turnDeadLetterQueue).Properties).toEqual({
        MessageRetentionPeriod: 1209600,
        SqsManagedSseEnabled: true,
      });
      expect(dev.resource(dev.ws.turnDeadLetterAlarm).Properties).toMatchObject({
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      });
      expect(dev.resource(dev.ws.errorAlarm).Properties).toMatchObject({
        MetricName: 'IntegrationError',
        Dimensions: [
          { Name: 'ApiId', Value: { Ref: dev.id(dev.ws.api) } },
          { Name: 'Stage', Value: 'dev' },
        ],
      });
    });
  });

  describe('Validation', () => {
    it('refuses to synthesize API-key authentication that no usage plan backs', () => {
      // Prepare
      const stack = testStack(testApp());
      const chatData = new ChatData(stack, 'ChatData', { retainData: false });
      const data = new Data(stack, 'Data', { retainData: false });
      const ws = new KassWebSocketApi(stack, 'Ws', {
        stage: 'dev',
        config: ChatApiConfigSchema.parse(DEV_CHAT_API),
        functionDefaults: { logLevel: 'INFO', logRetentionDays: 14, retainLogs: false },
        agent: AGENT,
        conversations: data.conversations,
        agentState: chatData.agentState,
        connections: chatData.connections,
        authentication: { kind: 'api-keys' },
      });
      // Act + Assess
      expect(ws.node.validate().join('\n')).toContain('must be added to a usage plan');
    });
  });
});
