import { type App, type CfnElement, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { z } from 'zod';
import { searchBody } from '../../functions/search/handler';
import { CONFIRMATION_ID_PATTERN as LAMBDA_CONFIRMATION_ID_PATTERN } from '../../functions/shared/confirmation-view';
import * as requests from '../../functions/shared/requests';
import { chatRequest } from '../../functions/shared/requests';
import {
  type ChatApiConfigInput,
  ChatApiConfigSchema,
  DEV_CHAT_API,
  PROD_CHAT_API,
} from '../../infra/config/chat-config';
import {
  CONFIRMATION_ID_PATTERN,
  CONVERSATION_ID_PATTERN,
  USER_ID_PATTERN,
} from '../../infra/constructs/chat/request-contract';
import { CHAT_TABLE_KEYS, ChatData } from '../../infra/constructs/chat-data';
import { Data } from '../../infra/constructs/data';
import { composeChatApis } from '../../infra/stacks/chat-composition';
import { testApp, testStack } from '../support/cdk';

type Resource = {
  Type: string;
  Properties: Record<string, unknown>;
  DependsOn?: string[];
  DeletionPolicy?: string;
};

const AGENT = {
  agentId: 'AGENT12345',
  aliasId: 'ALIAS12345',
  aliasArn: 'arn:aws:bedrock:us-east-1:123456789012:agent-alias/AGENT12345/ALIAS12345',
};
const KB = {
  knowledgeBaseId: 'KB12345678',
  knowledgeBaseArn: 'arn:aws:bedrock:us-east-1:123456789012:knowledge-base/KB12345678',
  vectorStore: 's3-vectors' as const,
};

function build(input: ChatApiConfigInput, options: { retainData?: boolean; guardrail?: boolean } = {}) {
  const app = testApp();
  const stack = testStack(app);
  const retainData = options.retainData ?? false;
  const data = new Data(stack, 'Data', { retainData });
  const chatData = new ChatData(stack, 'ChatData', { retainData });
  const config = ChatApiConfigSchema.parse(input);
  const chat = composeChatApis(stack, {
    stage: 'dev',
    config,
    functionDefaults: { logLevel: 'INFO', logRetentionDays: 14, retainLogs: retainData },
    retainData,
    agent: AGENT,
    knowledgeBase: KB,
    ...(options.guardrail
      ? {
          searchGuardrail: {
            guardrailId: 'gr1234abcd',
            guardrailVersion: '3',
            guardrailArn: 'arn:aws:bedrock:us-east-1:123456789012:guardrail/gr1234abcd',
          },
        }
      : {}),
    conversations: data.conversations,
    agentState: chatData.agentState,
    connections: chatData.connections,
    version: '1.2.3',
  });
  const template = Template.fromStack(stack);
  const id = (c: IConstruct) => stack.getLogicalId((c.node.defaultChild ?? c) as CfnElement);
  const resources = template.toJSON().Resources as Record<string, Resource>;
  const resource = (c: IConstruct) => resources[id(c)] as Resource;
  /** The AWS::ApiGateway::Method of a path and verb. */
  const method = (path: string, verb: string) =>
    resources[id(chat.rest.api.root.resourceForPath(path).node.findChild(verb))] as Resource;
  return { app, stack, config, data, chatData, chat, template, resources, id, resource, method };
}

type Built = ReturnType<typeof build>;

/** Statements of every IAM policy attached to a role. */
function statementsOf(built: Built, role: IConstruct) {
  return Object.values(built.template.findResources('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties.Roles).includes(built.id(role)))
    .flatMap(
      (p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[],
    );
}

/** Every acknowledgement under a construct: path, id, reason. */
function acknowledgements(root: IConstruct) {
  return root.node.findAll().flatMap((node) =>
    node.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) =>
        Object.entries(m.data as Record<string, string>).map(([key, reason]) => ({
          path: node.node.path,
          id: key.replace(/^(annotation::)?(AwsSolutions::)?/i, ''),
          reason,
        })),
      ),
  );
}

function violations(app: App, honourAcknowledgements = true) {
  const checks = new AwsSolutionsChecks(app, { verbose: true });
  if (!honourAcknowledgements) Object.assign(checks, { isAcknowledged: () => false });
  return checks.validateScope(app).violations;
}

type ModelSchema = {
  type?: string;
  required?: string[];
  additionalProperties?: boolean;
  properties?: Record<string, ModelSchema>;
  oneOf?: ModelSchema[];
  minLength?: number;
  maxLength?: number;
  pattern?: string;
};

/** The synthesized ChatRequest model. */
function chatModelSchema(built: Built) {
  const models = built.template.findResources('AWS::ApiGateway::Model');
  return Object.values(models).find((m) => m.Properties.Schema.title === 'ChatRequest')?.Properties
    .Schema as ModelSchema & { properties: Record<string, ModelSchema> };
}

/**
 * Draft-4 validation of the keywords the chat model uses (type, required, properties, additionalProperties,
 * oneOf, string lengths and pattern): enough to check that the model accepts what the Lambda accepts.
 */
function draft4Valid(schema: ModelSchema, value: unknown): boolean {
  const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
  switch (schema.type) {
    case 'object':
      if (!isObject) return false;
      break;
    case 'string':
      if (typeof value !== 'string') return false;
      break;
    case 'boolean':
      if (typeof value !== 'boolean') return false;
      break;
  }
  if (typeof value === 'string') {
    if (schema.minLength !== undefined && value.length < schema.minLength) return false;
    if (schema.maxLength !== undefined && value.length > schema.maxLength) return false;
    if (schema.pattern !== undefined && !new RegExp(schema.pattern).test(value)) return false;
  }
  if (isObject) {
    const record = value as Record<string, unknown>;
    if ((schema.required ?? []).some((key) => !(key in record))) return false;
    for (const [key, child] of Object.entries(record)) {
      const sub = schema.properties?.[key];
      if (sub) {
        if (!draft4Valid(sub, child)) return false;
      } else if (schema.additionalProperties === false) {
        return false;
      }
    }
  }
  if (schema.oneOf && schema.oneOf.filter((branch) => draft4Valid(branch, value)).length !== 1) return false;
  return true;
}

describe('ChatApiConfigSchema', () => {
  it('accepts the shipped dev and prod settings', () => {
    expect(ChatApiConfigSchema.parse(DEV_CHAT_API).chat.agentDeadlineSeconds).toBe(25);
    expect(ChatApiConfigSchema.parse(PROD_CHAT_API).cognito.enabled).toBe(true);
  });

  it('defaults the conversation TTL to 30 days', () => {
    expect(ChatApiConfigSchema.parse(DEV_CHAT_API).conversationTtlDays).toBe(30);
  });

  it('asks the user to confirm tool calls unless chat.confirmations is deny', () => {
    expect(ChatApiConfigSchema.parse(DEV_CHAT_API).chat.confirmations).toBe('ask');
    expect(ChatApiConfigSchema.parse(PROD_CHAT_API).chat.confirmations).toBe('ask');
    const deny = { ...DEV_CHAT_API, chat: { ...DEV_CHAT_API.chat, confirmations: 'deny' as const } };
    expect(ChatApiConfigSchema.parse(deny).chat.confirmations).toBe('deny');
  });

  it.each([
    {
      name: 'a chat deadline with no time left to persist',
      patch: {
        chat: { memoryMb: 512, timeoutSeconds: 28, agentDeadlineSeconds: 27, reservedConcurrency: 5 },
      },
      key: 'chat.agentDeadlineSeconds',
    },
    {
      name: 'a chat function beyond the REST integration timeout',
      patch: {
        chat: { memoryMb: 512, timeoutSeconds: 60, agentDeadlineSeconds: 25, reservedConcurrency: 5 },
      },
      key: 'chat.timeoutSeconds',
    },
    {
      name: 'a per-key rate above the stage rate',
      patch: {
        usagePlan: { throttle: { rateLimit: 50, burstLimit: 5 }, quota: { limit: 10, period: 'DAY' } },
      },
      key: 'usagePlan.throttle.rateLimit',
    },
    {
      name: 'a stage rate above the account ceiling',
      patch: { throttle: { rateLimit: 20000, burstLimit: 10 } },
      key: 'throttle.rateLimit',
    },
    {
      name: 'an unknown confirmation mode',
      patch: {
        chat: {
          memoryMb: 512,
          timeoutSeconds: 28,
          agentDeadlineSeconds: 25,
          reservedConcurrency: 5,
          confirmations: 'maybe',
        },
      },
      key: 'chat.confirmations',
    },
    { name: 'a wildcard origin', patch: { allowedOrigins: ['*'] }, key: 'allowedOrigins.0' },
    {
      name: 'an origin with a path',
      patch: { allowedOrigins: ['https://a.example.com/app'] },
      key: 'allowedOrigins.0',
    },
    { name: 'no API key', patch: { apiKeys: [] }, key: 'apiKeys' },
    {
      name: 'no reserved concurrency',
      patch: { search: { memoryMb: 256, timeoutSeconds: 15, reservedConcurrency: 0 } },
      key: 'search.reservedConcurrency',
    },
    {
      name: 'an imported user pool without app client ids',
      patch: {
        cognito: {
          enabled: true,
          userPoolArn: 'arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc123',
        },
      },
      key: 'cognito.userPoolClientIds',
    },
  ])('rejects $name, naming $key', ({ patch, key }) => {
    // Act
    const result = ChatApiConfigSchema.safeParse({ ...DEV_CHAT_API, ...patch });
    // Assess
    expect(result.success).toBe(false);
    const keys = result.error?.issues.map((i) => i.path.join('.'));
    expect(keys).toContain(key);
  });
});

describe('Class: ChatApi', () => {
  let dev: Built;
  let prod: Built;
  beforeAll(() => {
    // With the account logging role managed here (`create`), as an account without one needs it.
    dev = build({ ...DEV_CHAT_API, accountCloudWatchRole: 'create' });
    prod = build(PROD_CHAT_API, { retainData: true, guardrail: true });
  });

  describe('Routes', () => {
    it('serves POST /chat, POST /search, GET /conversations/{conversationId} and GET /health', () => {
      const methods = Object.values(dev.template.findResources('AWS::ApiGateway::Method'))
        .map((m) => m.Properties.HttpMethod as string)
        .filter((verb) => verb !== 'OPTIONS')
        .sort();
      expect(methods).toEqual(['GET', 'GET', 'GET', 'POST', 'POST']);
      for (const [path, verb, name] of [
        ['/chat', 'POST', 'Chat'],
        ['/search', 'POST', 'Search'],
        ['/conversations', 'GET', 'ListConversations'],
        ['/conversations/{conversationId}', 'GET', 'GetConversation'],
        ['/health', 'GET', 'Health'],
      ] as const) {
        expect(dev.method(path, verb).Properties).toMatchObject({
          HttpMethod: verb,
          OperationName: name,
          Integration: { Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST' },
        });
      }
    });

    it('is a regional API whose account-wide CloudWatch role is not created implicitly', () => {
      dev.template.hasResourceProperties('AWS::ApiGateway::RestApi', {
        EndpointConfiguration: { Types: ['REGIONAL'] },
        ApiKeySourceType: 'HEADER',
      });
      // Only the deliberate role below; RestApi's own cloudWatchRole would add a second account setting.
      dev.template.resourceCountIs('AWS::ApiGateway::Account', 1);
    });

    it('answers /chat within the 29 s integration timeout, with the function deadline below it', () => {
      expect(dev.method('/chat', 'POST').Properties).toMatchObject({
        Integration: { TimeoutInMillis: 29000 },
      });
      const chat = dev.resource(dev.chat.functions.chatFunction.function).Properties as {
        Timeout: number;
        Environment: { Variables: Record<string, unknown> };
      };
      expect(chat.Timeout).toBe(28);
      expect(Number(chat.Environment.Variables.AGENT_DEADLINE_SECONDS)).toBe(25);
      expect(chat.Environment.Variables.WEBSOCKET_URL).toBeDefined();
    });
  });

  describe('Request validation', () => {
    it('validates body and parameters of /chat and /search against their models', () => {
      const validator = dev.resource(dev.chat.rest.api.node.findChild('BodyAndParameters')).Properties;
      expect(validator).toMatchObject({ ValidateRequestBody: true, ValidateRequestParameters: true });
      for (const [path, model] of [
        ['/chat', 'ChatRequest'],
        ['/search', 'SearchRequest'],
      ] as const) {
        expect(dev.method(path, 'POST').Properties).toMatchObject({
          RequestValidatorId: { Ref: dev.id(dev.chat.rest.api.node.findChild('BodyAndParameters')) },
          RequestModels: { 'application/json': { Ref: dev.id(dev.chat.rest.api.node.findChild(model)) } },
        });
      }
    });

    it('requires the conversation id path parameter on GET /conversations/{conversationId}', () => {
      expect(dev.method('/conversations/{conversationId}', 'GET').Properties).toMatchObject({
        RequestValidatorId: { Ref: dev.id(dev.chat.rest.api.node.findChild('ParametersOnly')) },
        RequestParameters: {
          'method.request.path.conversationId': true,
          'method.request.querystring.userId': false,
          'method.request.querystring.nextToken': false,
        },
      });
    });

    it('limits the chat message to the configured length and rejects unknown fields', () => {
      dev.template.hasResourceProperties('AWS::ApiGateway::Model', {
        ContentType: 'application/json',
        Schema: {
          title: 'ChatRequest',
          $schema: 'http://json-schema.org/draft-04/schema#',
          additionalProperties: false,
          properties: {
            message: { type: 'string', minLength: 1, maxLength: dev.config.limits.maxMessageChars },
            conversationId: { type: 'string', pattern: CONVERSATION_ID_PATTERN },
          },
        },
      });
    });

    it('requires a message, or a confirmation answer of a named conversation, never both (oneOf)', () => {
      // Prepare
      const schema = chatModelSchema(dev);
      // Assess
      expect(schema.required).toBeUndefined();
      expect(schema.oneOf).toEqual([
        { required: ['message'] },
        { required: ['confirmation', 'conversationId'] },
      ]);
      expect(schema.properties.confirmation).toEqual({
        type: 'object',
        required: ['id', 'confirm'],
        additionalProperties: false,
        properties: {
          id: { type: 'string', pattern: CONFIRMATION_ID_PATTERN },
          confirm: { type: 'boolean' },
        },
      });
    });

    it('describes the same fields as the Lambdas’ zod schemas (contract)', () => {
      // Prepare
      const models = dev.template.findResources('AWS::ApiGateway::Model');
      const schemaOf = (name: string) =>
        Object.values(models).find((m) => m.Properties.Schema.title === name)?.Properties.Schema as {
          properties: Record<string, unknown>;
          required?: string[];
        };
      const zodChat = z.toJSONSchema(chatRequest(4000), { io: 'input' }) as {
        properties: object;
        required?: string[];
      };
      const zodSearch = z.toJSONSchema(searchBody({ maxQueryChars: 1000, maxResults: 25 }), {
        io: 'input',
      }) as {
        properties: object;
        required: string[];
      };
      // Assess
      expect(Object.keys(schemaOf('ChatRequest').properties).sort()).toEqual(
        Object.keys(zodChat.properties).sort(),
      );
      // Which of them is required is a rule across fields (oneOf / the zod check), compared case by case below.
      expect(schemaOf('ChatRequest').required).toBeUndefined();
      expect(zodChat.required ?? []).toEqual([]);
      expect(Object.keys(schemaOf('SearchRequest').properties).sort()).toEqual(
        Object.keys(zodSearch.properties).sort(),
      );
      expect(schemaOf('SearchRequest').required).toEqual(zodSearch.required);
      expect(requests.CONVERSATION_ID_PATTERN.source).toBe(CONVERSATION_ID_PATTERN);
      expect(requests.USER_ID_PATTERN.source).toBe(USER_ID_PATTERN);
      expect(LAMBDA_CONFIRMATION_ID_PATTERN.source).toBe(CONFIRMATION_ID_PATTERN);
    });

    const ID = '0b5a4f9e-6c1d-4f7a-9e2b-3c4d5e6f7a8b';
    it.each([
      { name: 'a message', body: { message: 'Hi' }, valid: true },
      {
        name: 'a message continuing a conversation',
        body: { message: 'Hi', conversationId: 'conv-1' },
        valid: true,
      },
      {
        name: 'a confirmation answer',
        body: { conversationId: 'conv-1', confirmation: { id: ID, confirm: false } },
        valid: true,
      },
      {
        name: 'a confirmation answer of an app user',
        body: { conversationId: 'conv-1', userId: 'alex', confirmation: { id: ID, confirm: true } },
        valid: true,
      },
      { name: 'neither', body: { conversationId: 'conv-1' }, valid: false },
      {
        name: 'a confirmation without conversation',
        body: { confirmation: { id: ID, confirm: true } },
        valid: false,
      },
      {
        name: 'both',
        body: { message: 'Hi', conversationId: 'conv-1', confirmation: { id: ID, confirm: true } },
        valid: false,
      },
      {
        name: 'a confirmation without a decision',
        body: { conversationId: 'conv-1', confirmation: { id: ID } },
        valid: false,
      },
      {
        name: 'a confirmation with an unknown field',
        body: { conversationId: 'conv-1', confirmation: { id: ID, confirm: true, why: 'x' } },
        valid: false,
      },
      {
        name: 'a malformed confirmation id',
        body: { conversationId: 'conv-1', confirmation: { id: 'TCK-1', confirm: true } },
        valid: false,
      },
      { name: 'an empty message', body: { message: '' }, valid: false },
      { name: 'an unknown field', body: { message: 'Hi', stream: true }, valid: false },
    ])('the model and the Lambda agree on $name (valid: $valid)', ({ body, valid }) => {
      expect(draft4Valid(chatModelSchema(dev), body)).toBe(valid);
      expect(chatRequest(dev.config.limits.maxMessageChars).safeParse(body).success).toBe(valid);
    });

    it('answers API Gateway’s own errors as JSON (validation 400, throttle 429, timeout 504)', () => {
      const responses = Object.values(dev.template.findResources('AWS::ApiGateway::GatewayResponse')).map(
        (r) =>
          r.Properties as {
            ResponseType: string;
            StatusCode?: string;
            ResponseTemplates: Record<string, string>;
          },
      );
      const byType = Object.fromEntries(responses.map((r) => [r.ResponseType, r]));
      expect(byType.BAD_REQUEST_BODY?.StatusCode).toBe('400');
      expect(byType.BAD_REQUEST_BODY?.ResponseTemplates['application/json']).toContain(
        '$context.error.validationErrorString',
      );
      expect(byType.THROTTLED?.StatusCode).toBe('429');
      expect(byType.QUOTA_EXCEEDED?.StatusCode).toBe('429');
      expect(byType.INTEGRATION_TIMEOUT?.StatusCode).toBe('504');
      expect(byType.INVALID_API_KEY?.StatusCode).toBe('403');
    });
  });

  describe('Authentication', () => {
    it('requires an API key on /chat, /search and /conversations but not on /health', () => {
      for (const [path, verb] of [
        ['/chat', 'POST'],
        ['/search', 'POST'],
        ['/conversations/{conversationId}', 'GET'],
      ] as const) {
        expect(dev.method(path, verb).Properties).toMatchObject({
          ApiKeyRequired: true,
          AuthorizationType: 'NONE',
        });
      }
      expect(dev.method('/health', 'GET').Properties).toMatchObject({ AuthorizationType: 'NONE' });
      expect(dev.method('/health', 'GET').Properties.ApiKeyRequired).not.toBe(true);
    });

    it('adds the Cognito user-pool authorizer to every method but /health when enabled (prod)', () => {
      const authorizer = Object.keys(prod.template.findResources('AWS::ApiGateway::Authorizer'))[0];
      prod.template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
        Type: 'COGNITO_USER_POOLS',
        IdentitySource: 'method.request.header.Authorization',
      });
      // Reads of one's own conversations need the token only (the web page holds no API key).
      for (const [path, verb, keyRequired] of [
        ['/chat', 'POST', true],
        ['/search', 'POST', true],
        ['/conversations', 'GET', false],
        ['/conversations/{conversationId}', 'GET', false],
      ] as const) {
        expect(prod.method(path, verb).Properties).toMatchObject({
          ApiKeyRequired: keyRequired,
          AuthorizationType: 'COGNITO_USER_POOLS',
          AuthorizerId: { Ref: authorizer },
        });
      }
      expect(prod.method('/health', 'GET').Properties).toMatchObject({ AuthorizationType: 'NONE' });
    });

    it('creates an admin-only user pool with required MFA and a secretless SRP app client', () => {
      prod.template.hasResourceProperties('AWS::Cognito::UserPool', {
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
        MfaConfiguration: 'ON',
        EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
        Policies: {
          PasswordPolicy: Match.objectLike({
            MinimumLength: 12,
            RequireLowercase: true,
            RequireUppercase: true,
            RequireNumbers: true,
            RequireSymbols: true,
          }),
        },
        DeletionProtection: 'ACTIVE',
      });
      prod.template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
        GenerateSecret: false,
        ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
        PreventUserExistenceErrors: 'ENABLED',
      });
      dev.template.resourceCountIs('AWS::Cognito::UserPool', 0);
    });

    it('puts every key in a usage plan whose throttle and quota are the configured ones', () => {
      const plan = dev.resource(dev.chat.keys.usagePlan).Properties;
      expect(plan).toMatchObject({
        Throttle: { RateLimit: 5, BurstLimit: 5 },
        Quota: { Limit: 2000, Period: 'DAY' },
      });
      dev.template.resourceCountIs('AWS::ApiGateway::ApiKey', 1);
      dev.template.hasResourceProperties('AWS::ApiGateway::ApiKey', {
        Name: 'kass-dev-developer',
        Enabled: true,
      });
      dev.template.hasResourceProperties('AWS::ApiGateway::UsagePlanKey', {
        KeyType: 'API_KEY',
        UsagePlanId: { Ref: dev.id(dev.chat.keys.usagePlan) },
      });
      // No key value in the template: API Gateway generates it.
      expect(dev.resource(dev.chat.keys.apiKeys.developer as IConstruct).Properties.Value).toBeUndefined();
    });

    it('lets the same keys open WebSocket connections (API keys mode): the WS stage is in the plan', () => {
      const stages = dev.resource(dev.chat.keys.usagePlan).Properties.ApiStages as unknown[];
      expect(stages).toEqual([
        expect.objectContaining({ ApiId: { Ref: dev.id(dev.chat.rest.api) } }),
        { ApiId: { Ref: dev.id(dev.chat.webSocket.api) }, Stage: 'dev' },
      ]);
      expect(prod.resource(prod.chat.keys.usagePlan).Properties.ApiStages).toHaveLength(1);
    });
  });

  describe('Stage', () => {
    it('throttles the stage explicitly, traces with X-Ray and logs methods without request data', () => {
      const stage = dev.resource(dev.chat.rest.api.deploymentStage).Properties;
      expect(stage).toMatchObject({
        StageName: 'dev',
        TracingEnabled: true,
        MethodSettings: [
          {
            HttpMethod: '*',
            ResourcePath: '/*',
            LoggingLevel: 'INFO',
            DataTraceEnabled: false,
            MetricsEnabled: true,
            ThrottlingRateLimit: 20,
            ThrottlingBurstLimit: 10,
          },
          {
            HttpMethod: 'GET',
            ResourcePath: '/~1health',
            LoggingLevel: 'INFO',
            DataTraceEnabled: false,
            ThrottlingRateLimit: 2,
            ThrottlingBurstLimit: 2,
          },
        ],
      });
      expect(prod.resource(prod.chat.rest.api.deploymentStage).Properties).toMatchObject({
        MethodSettings: [
          expect.objectContaining({
            HttpMethod: '*',
            ResourcePath: '/*',
            LoggingLevel: 'ERROR',
            DataTraceEnabled: false,
          }),
          expect.objectContaining({
            ResourcePath: '/~1health',
            LoggingLevel: 'ERROR',
            DataTraceEnabled: false,
          }),
        ],
      });
    });

    it('writes JSON access logs (no query strings or bodies) to a log group with retention', () => {
      const stage = dev.resource(dev.chat.rest.api.deploymentStage).Properties as {
        AccessLogSetting: { DestinationArn: unknown; Format: string };
      };
      expect(stage.AccessLogSetting.DestinationArn).toEqual({
        'Fn::GetAtt': [dev.id(dev.chat.rest.accessLogs), 'Arn'],
      });
      const format = JSON.parse(stage.AccessLogSetting.Format) as Record<string, string>;
      expect(format).toMatchObject({
        requestId: '$context.requestId',
        status: '$context.status',
        apiKeyId: '$context.identity.apiKeyId',
        resourcePath: '$context.resourcePath',
      });
      expect(stage.AccessLogSetting.Format).not.toMatch(/querystring|input\.body|\$context\.path\b/i);
      expect(dev.resource(dev.chat.rest.accessLogs).Properties).toMatchObject({ RetentionInDays: 14 });
    });

    it('creates the execution-log group API Gateway would otherwise create without retention', () => {
      expect(dev.resource(dev.chat.rest.executionLogs).Properties).toEqual({
        LogGroupName: {
          'Fn::Join': ['', ['API-Gateway-Execution-Logs_', { Ref: dev.id(dev.chat.rest.api) }, '/dev']],
        },
        RetentionInDays: 14,
      });
      expect(dev.resource(dev.chat.rest.api.deploymentStage).DependsOn).toEqual(
        expect.arrayContaining([dev.id(dev.chat.rest.executionLogs)]),
      );
    });

    it('sets the account CloudWatch role deliberately: own narrow policy, retained, before the stages', () => {
      const role = dev.resource(dev.chat.accountLogging?.role as IConstruct) as Resource & {
        Properties: {
          Policies: { PolicyDocument: { Statement: { Action: string[]; Resource: unknown }[] } }[];
        };
      };
      expect(role.DeletionPolicy).toBe('Retain');
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      // The trust policy AWS documents for this role: API Gateway, no conditions.
      expect(role.Properties.AssumeRolePolicyDocument).toEqual({
        Statement: [
          { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'apigateway.amazonaws.com' } },
        ],
        Version: '2012-10-17',
      });
      const resources = JSON.stringify(
        role.Properties.Policies[0]?.PolicyDocument.Statement.map((s) => s.Resource),
      );
      expect(resources).toContain('log-group:API-Gateway-Execution-Logs_*');
      expect(resources).toContain('log-group:/aws/apigateway/*');
      const account = dev.resource(dev.chat.accountLogging?.account as IConstruct);
      expect(account.DeletionPolicy).toBe('Retain');
      expect(account.Properties.CloudWatchRoleArn).toEqual({
        'Fn::GetAtt': [dev.id(dev.chat.accountLogging?.role as IConstruct), 'Arn'],
      });
      for (const stage of [dev.chat.rest.api.deploymentStage, dev.chat.webSocket.stage]) {
        expect(dev.resource(stage).DependsOn).toEqual(
          expect.arrayContaining([dev.id(dev.chat.accountLogging?.account as IConstruct)]),
        );
      }
    });

    it('leaves the account setting alone unless asked (the default: the account already has a role)', () => {
      expect(ChatApiConfigSchema.parse(DEV_CHAT_API).accountCloudWatchRole).toBe('existing');
      expect(ChatApiConfigSchema.parse(PROD_CHAT_API).accountCloudWatchRole).toBe('existing');
      const existing = build(DEV_CHAT_API);
      existing.template.resourceCountIs('AWS::ApiGateway::Account', 0);
      expect(existing.chat.accountLogging?.role).toBeUndefined();
    });
  });

  describe('CORS', () => {
    it('answers preflights for the configured origins only', () => {
      const options = Object.values(dev.template.findResources('AWS::ApiGateway::Method')).filter(
        (m) => m.Properties.HttpMethod === 'OPTIONS',
      );
      expect(options.length).toBeGreaterThan(0);
      for (const m of options) {
        const text = JSON.stringify(m.Properties);
        expect(text).toContain("'http://localhost:3000'");
        expect(text).not.toContain("'*'");
      }
      const env = (
        dev.resource(dev.chat.functions.chatFunction.function).Properties.Environment as { Variables: object }
      ).Variables;
      expect(env).toMatchObject({ ALLOWED_ORIGINS: 'http://localhost:3000' });
    });

    it('has no CORS at all without configured origins (prod until set)', () => {
      const options = Object.values(prod.template.findResources('AWS::ApiGateway::Method')).filter(
        (m) => m.Properties.HttpMethod === 'OPTIONS',
      );
      expect(options).toEqual([]);
    });
  });

  describe('Functions', () => {
    it('caps the Bedrock-calling functions with the configured reserved concurrency (prod; none in dev)', () => {
      expect(
        dev.resource(dev.chat.functions.chatFunction.function).Properties.ReservedConcurrentExecutions,
      ).toBeUndefined();
      expect(
        dev.resource(dev.chat.functions.searchFunction.function).Properties.ReservedConcurrentExecutions,
      ).toBeUndefined();
      expect(
        prod.resource(prod.chat.functions.chatFunction.function).Properties.ReservedConcurrentExecutions,
      ).toBe(50);
      expect(prod.resource(prod.chat.functions.searchFunction.function).Properties.MemorySize).toBe(512);
    });

    it('gives the chat function InvokeAgent on the alias and exact table actions, nothing else', () => {
      const statements = statementsOf(dev, dev.chat.functions.chatFunction.role).filter(
        (s) => ![s.Action].flat().some((a) => a.startsWith('xray:') || a.startsWith('logs:')),
      );
      expect(statements).toEqual([
        { Effect: 'Allow', Action: 'bedrock:InvokeAgent', Resource: AGENT.aliasArn },
        {
          Effect: 'Allow',
          Action: 'dynamodb:PutItem',
          Resource: { 'Fn::GetAtt': [dev.id(dev.data.conversations), 'Arn'] },
          // A turn is stored whole: only inside TransactWriteItems.
          Condition: {
            'ForAnyValue:StringEquals': { 'dynamodb:EnclosingOperation': ['TransactWriteItems'] },
          },
        },
        {
          Effect: 'Allow',
          Action: ['dynamodb:UpdateItem', 'dynamodb:GetItem', 'dynamodb:ConditionCheckItem'],
          Resource: { 'Fn::GetAtt': [dev.id(dev.chatData.agentState), 'Arn'] },
        },
      ]);
    });

    it('lets /search retrieve from the one knowledge base (and apply the guardrail when given)', () => {
      const bedrock = (built: Built) =>
        statementsOf(built, built.chat.functions.searchFunction.role).filter((s) =>
          [s.Action].flat().some((a) => a.startsWith('bedrock:')),
        );
      expect(bedrock(dev)).toEqual([
        { Effect: 'Allow', Action: 'bedrock:Retrieve', Resource: KB.knowledgeBaseArn },
      ]);
      expect(bedrock(prod)).toContainEqual({
        Effect: 'Allow',
        Action: 'bedrock:ApplyGuardrail',
        Resource: 'arn:aws:bedrock:us-east-1:123456789012:guardrail/gr1234abcd',
      });
      expect(prod.resource(prod.chat.functions.searchFunction.function).Properties).toMatchObject({
        Environment: {
          Variables: {
            GUARDRAIL_ID: 'gr1234abcd',
            GUARDRAIL_VERSION: '3',
            KNOWLEDGE_BASE_ID: KB.knowledgeBaseId,
          },
        },
      });
    });

    it('gives /health and GET /conversations no Bedrock access', () => {
      for (const f of [dev.chat.functions.healthFunction, dev.chat.functions.conversationsFunction]) {
        expect(JSON.stringify(statementsOf(dev, f.role))).not.toContain('bedrock:');
      }
      expect(statementsOf(dev, dev.chat.functions.conversationsFunction.role)).toContainEqual({
        Effect: 'Allow',
        Action: 'dynamodb:Query',
        Resource: { 'Fn::GetAtt': [dev.id(dev.data.conversations), 'Arn'] },
      });
      expect(dev.resource(dev.chat.functions.healthFunction.function).Properties).toMatchObject({
        Environment: { Variables: { APP_VERSION: '1.2.3' } },
      });
    });

    it('passes each function only the variables it reads', () => {
      const own = (f: IConstruct) =>
        Object.keys((dev.resource(f).Properties.Environment as { Variables: object }).Variables)
          .filter((k) => !k.startsWith('POWERTOOLS_') && k !== 'NODE_OPTIONS')
          .sort();
      expect(own(dev.chat.functions.chatFunction.function)).toEqual([
        'AGENT_ALIAS_ID',
        'AGENT_DEADLINE_SECONDS',
        'AGENT_ID',
        'AGENT_MEMORY',
        'AGENT_STATE_TABLE_NAME',
        'ALLOWED_ORIGINS',
        'API_KEY_APPS',
        'CHAT_CONFIRMATIONS',
        'CONVERSATIONS_TABLE_NAME',
        'CONVERSATION_TTL_DAYS',
        'MAX_MESSAGE_CHARS',
        'OPERATOR_GROUPS',
        'OPERATOR_USER_IDS',
        'TURN_LEASE_SECONDS',
        'WEBSOCKET_URL',
      ]);
      const chatVariables = (built: Built) =>
        (
          built.resource(built.chat.functions.chatFunction.function).Properties.Environment as {
            Variables: Record<string, unknown>;
          }
        ).Variables;
      expect(chatVariables(dev).CHAT_CONFIRMATIONS).toBe('ask');
      const deny = build({ ...DEV_CHAT_API, chat: { ...DEV_CHAT_API.chat, confirmations: 'deny' } });
      expect(chatVariables(deny).CHAT_CONFIRMATIONS).toBe('deny');
      expect(own(dev.chat.functions.conversationsFunction.function)).toEqual([
        'ALLOWED_ORIGINS',
        'API_KEY_APPS',
        'CONVERSATIONS_TABLE_NAME',
        'OPERATOR_GROUPS',
        'OPERATOR_USER_IDS',
        'PAGE_SIZE',
      ]);
      expect(own(dev.chat.functions.searchFunction.function)).toEqual([
        'ALLOWED_ORIGINS',
        'KNOWLEDGE_BASE_ID',
        'KNOWLEDGE_BASE_VECTOR_STORE',
        'MAX_QUERY_CHARS',
        'MAX_SEARCH_RESULTS',
      ]);
      expect(
        (
          dev.resource(dev.chat.functions.searchFunction.function).Properties.Environment as {
            Variables: object;
          }
        ).Variables,
      ).toMatchObject({ KNOWLEDGE_BASE_VECTOR_STORE: 's3-vectors' });
      expect(own(dev.chat.functions.healthFunction.function)).toEqual(['ALLOWED_ORIGINS', 'APP_VERSION']);
    });
  });

  describe('Tables (ChatData)', () => {
    it('keys Agent State by session_id and Connections by connection_id, each with a TTL', () => {
      expect(dev.resource(dev.chatData.agentState).Properties).toMatchObject({
        KeySchema: [{ AttributeName: CHAT_TABLE_KEYS.agentState.partitionKey, KeyType: 'HASH' }],
        TimeToLiveSpecification: { AttributeName: 'expires_at', Enabled: true },
      });
      expect(dev.resource(dev.chatData.connections).Properties).toMatchObject({
        KeySchema: [{ AttributeName: 'connection_id', KeyType: 'HASH' }],
        TimeToLiveSpecification: { AttributeName: 'expires_at', Enabled: true },
      });
    });

    it('makes them on-demand, encrypted, with PITR; retained and protected in prod only', () => {
      for (const [built, retained] of [
        [dev, false],
        [prod, true],
      ] as const) {
        for (const table of [built.chatData.agentState, built.chatData.connections]) {
          const r = built.resource(table);
          expect(r.Properties).toMatchObject({
            BillingMode: 'PAY_PER_REQUEST',
            SSESpecification: { SSEEnabled: true },
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
            DeletionProtectionEnabled: retained,
          });
          expect(r.DeletionPolicy).toBe(retained ? 'Retain' : 'Delete');
        }
      }
    });

    it('writes turns to the Conversations table (user_id GSI, TTL, stream) it is given', () => {
      expect(dev.resource(dev.data.conversations).Properties).toMatchObject({
        GlobalSecondaryIndexes: [expect.objectContaining({ IndexName: 'user_id-index' })],
        TimeToLiveSpecification: { AttributeName: 'expires_at', Enabled: true },
        StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      });
      const env = (
        dev.resource(dev.chat.functions.chatFunction.function).Properties.Environment as { Variables: object }
      ).Variables;
      expect(env).toMatchObject({
        CONVERSATIONS_TABLE_NAME: { Ref: dev.id(dev.data.conversations) },
        AGENT_STATE_TABLE_NAME: { Ref: dev.id(dev.chatData.agentState) },
        CONVERSATION_TTL_DAYS: '30',
      });
    });
  });

  describe('WAF and alarms', () => {
    it('protects the prod stage with a web ACL: per-IP rate rule and managed rules, free text allowed', () => {
      prod.template.hasResourceProperties('AWS::WAFv2::WebACL', {
        Scope: 'REGIONAL',
        DefaultAction: { Allow: {} },
        Rules: Match.arrayWith([
          Match.objectLike({
            Name: 'RatePerIp',
            Statement: { RateBasedStatement: { Limit: 1000, AggregateKeyType: 'IP' } },
          }),
          Match.objectLike({
            Name: 'AWSManagedRulesCommonRuleSet',
            Statement: {
              ManagedRuleGroupStatement: Match.objectLike({
                RuleActionOverrides: [
                  { Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } },
                  { Name: 'CrossSiteScripting_BODY', ActionToUse: { Count: {} } },
                ],
              }),
            },
          }),
        ]),
      });
      prod.template.hasResource('AWS::WAFv2::WebACLAssociation', {
        Properties: {
          ResourceArn: Match.anyValue(),
          WebACLArn: { 'Fn::GetAtt': [prod.id(prod.chat.webAcl?.webAcl as IConstruct), 'Arn'] },
        },
        DependsOn: [prod.id(prod.chat.rest.api.deploymentStage)],
      });
      dev.template.resourceCountIs('AWS::WAFv2::WebACL', 0);
    });

    it('alarms on API 5XX and on the chat/search cost caps being hit', () => {
      expect(dev.resource(dev.chat.rest.serverErrorAlarm).Properties).toMatchObject({
        MetricName: '5XXError',
        Namespace: 'AWS/ApiGateway',
        Statistic: 'Sum',
        Threshold: 5,
      });
      for (const alarm of dev.chat.functions.throttleAlarms) {
        expect(dev.resource(alarm).Properties).toMatchObject({
          MetricName: 'Throttles',
          Namespace: 'AWS/Lambda',
        });
      }
    });
  });

  describe('cdk-nag', () => {
    it.each(['dev', 'prod'])('reports no unacknowledged AwsSolutions finding (%s)', (stage) => {
      const built = stage === 'dev' ? dev : prod;
      expect(
        violations(built.app).map(
          (v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath)}`,
        ),
      ).toEqual([]);
    });

    it.each(['dev', 'prod'])('gives every acknowledgement a reason and a finding it hides (%s)', (stage) => {
      // Prepare
      const built = stage === 'dev' ? dev : prod;
      const raw = violations(built.app, false);
      const acks = acknowledgements(built.stack).filter((a) => a.id.startsWith('AwsSolutions-'));
      // Assess
      expect(acks.length).toBeGreaterThan(0);
      for (const ack of acks) {
        expect(ack.reason.length).toBeGreaterThanOrEqual(20);
        const fires = raw.some(
          (v) =>
            v.ruleName === ack.id &&
            v.violatingResources.some((r) => (r.constructPath ?? '').startsWith(`${ack.path}/`)),
        );
        expect({ ack: `${ack.path} ${ack.id}`, fires }).toEqual({
          ack: `${ack.path} ${ack.id}`,
          fires: true,
        });
      }
    });

    it('acknowledges APIG4/COG4 on /health only when Cognito is on (prod), and APIG3 only without WAF', () => {
      const rest = (built: Built) =>
        acknowledgements(built.chat.rest.api)
          .filter((a) => /APIG[34]|COG4/.test(a.id))
          .map((a) => `${a.path.replace(/^TestStack\/ChatApi\/Api\//, '')} ${a.id}`)
          .sort();
      expect(rest(prod)).toEqual([
        'Default/health/GET AwsSolutions-APIG4',
        'Default/health/GET AwsSolutions-COG4',
      ]);
      expect(rest(dev)).toEqual(
        expect.arrayContaining([
          'DeploymentStage.dev AwsSolutions-APIG3',
          'Default/chat/POST AwsSolutions-APIG4',
        ]),
      );
    });
  });
});
