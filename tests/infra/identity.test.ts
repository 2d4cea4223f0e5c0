import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../infra/app';
import { ChatApiConfigSchema, DEV_CHAT_API } from '../../infra/config/chat-config';
import { ConfigError } from '../../infra/config/config-error';
import { loadStageConfig } from '../../infra/config/load-config';
import { buildTestApp } from '../support/app';

/**
 * Identity and ownership as the synthesized templates show them (issue 9): what the logs keep, who may
 * read and write what, how long a turn holds its session, and which stage configurations are refused.
 */

type Json = Record<string, unknown>;
type Resource = { Type: string; Properties: Json; DependsOn?: string[] };
type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: Json };

const dev = buildTestApp('dev');
const prod = buildTestApp('prod');

const resourcesOf = (built: typeof dev) => built.template.toJSON().Resources as Record<string, Resource>;

/** The function whose handler entry is `entry` (KassFunction sets the description per function). */
function functionByDescription(built: typeof dev, pattern: RegExp): [string, Resource] {
  const found = Object.entries(resourcesOf(built)).filter(
    ([, r]) => r.Type === 'AWS::Lambda::Function' && pattern.test(String(r.Properties.Description ?? '')),
  );
  if (found.length !== 1) throw new Error(`expected one function matching ${pattern}, got ${found.length}`);
  return found[0] as [string, Resource];
}

/** Every statement of the policies attached to the function's role. */
function statementsOf(built: typeof dev, fn: Resource): Statement[] {
  const role = (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  return Object.values(resourcesOf(built))
    .filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles).includes(role))
    .flatMap((r) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

const actions = (statements: readonly Statement[]): string[] => statements.flatMap((s) => [s.Action].flat());
const tableId = (built: typeof dev, name: string): string => {
  const id = Object.keys(resourcesOf(built)).find(
    (k) => resourcesOf(built)[k]?.Type === 'AWS::DynamoDB::Table' && k.includes(name),
  );
  if (!id) throw new Error(`no table ${name}`);
  return id;
};

describe('Access logs carry no user email or free-text user id', () => {
  const formats = (built: typeof dev): string[] =>
    Object.values(resourcesOf(built)).flatMap((r) => {
      if (r.Type === 'AWS::ApiGateway::Stage')
        return [String((r.Properties.AccessLogSetting as { Format?: string } | undefined)?.Format ?? '')];
      if (r.Type === 'AWS::ApiGatewayV2::Stage')
        return [String((r.Properties.AccessLogSettings as { Format?: string } | undefined)?.Format ?? '')];
      return [];
    });

  it.each([
    ['dev', dev],
    ['prod', prod],
  ])('%s: REST and WebSocket formats log no claims, owner or user id', (_stage, built) => {
    const all = formats(built);
    expect(all).toHaveLength(2);
    for (const format of all) {
      expect(JSON.parse(format)).toHaveProperty('requestId');
      expect(format).not.toMatch(/claims|email|authorizer\.owner|principalId|userId|identity\.apiKey"/);
    }
  });
});

describe('Prod refuses a browser origin without Cognito', () => {
  const browserWithoutCognito = {
    chatApi: { allowedOrigins: ['https://chat.example.com'], cognito: { enabled: false } },
  };

  it('fails prod synth with a message naming the keys to change', () => {
    let error: unknown;
    try {
      loadStageConfig('prod', browserWithoutCognito);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const text = String((error as Error).message);
    expect(text).toContain('chatApi.allowedOrigins');
    expect(text).toContain('chatApi.cognito.enabled');
  });

  it('lets dev do it with a synth warning', () => {
    expect(() => loadStageConfig('dev', browserWithoutCognito)).not.toThrow();
    Annotations.fromStack(dev.stack).hasWarning(
      '*',
      Match.stringLikeRegexp('allowedOrigins.*API keys only|API key.*browser'),
    );
  });
});

describe('Chat turns: lease, whole turns, dropped turns', () => {
  const turnFunctions = (built: typeof dev) => [
    functionByDescription(built, /^POST \/chat/)[1],
    functionByDescription(built, /^WebSocket chat turn/)[1],
  ];

  it.each([
    ['dev', dev],
    ['prod', prod],
  ])('%s: a turn holds its session at least as long as its function can run', (_stage, built) => {
    for (const fn of turnFunctions(built)) {
      const vars = (fn.Properties.Environment as { Variables: Record<string, string> }).Variables;
      expect(Number(vars.TURN_LEASE_SECONDS)).toBeGreaterThanOrEqual(fn.Properties.Timeout as number);
    }
  });

  it('stores a turn with one transaction: PutItem only inside TransactWriteItems, no BatchWriteItem', () => {
    const conversations = tableId(dev, 'Conversations');
    const agentState = tableId(dev, 'AgentState');
    for (const fn of turnFunctions(dev)) {
      const statements = statementsOf(dev, fn);
      expect(actions(statements)).not.toContain('dynamodb:BatchWriteItem');
      expect(statements).toContainEqual({
        Effect: 'Allow',
        Action: 'dynamodb:PutItem',
        Resource: { 'Fn::GetAtt': [conversations, 'Arn'] },
        Condition: { 'ForAnyValue:StringEquals': { 'dynamodb:EnclosingOperation': ['TransactWriteItems'] } },
      });
      expect(
        statements.some(
          (s) =>
            [s.Action].flat().includes('dynamodb:ConditionCheckItem') &&
            JSON.stringify(s.Resource).includes(agentState),
        ),
      ).toBe(true);
    }
  });

  it('never runs a WebSocket turn late: short event age, failures go to a notifier that tells the client', () => {
    const [turnId] = functionByDescription(dev, /^WebSocket chat turn/);
    const [notifierId, notifier] = functionByDescription(dev, /turn could not start/i);
    const config = Object.values(resourcesOf(dev)).find(
      (r) =>
        r.Type === 'AWS::Lambda::EventInvokeConfig' &&
        JSON.stringify(r.Properties.FunctionName).includes(turnId),
    );
    expect(config?.Properties).toMatchObject({
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 60,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [notifierId, 'Arn'] } } },
    });
    expect(actions(statementsOf(dev, notifier))).toContain('execute-api:ManageConnections');
  });
});

describe('Tickets are owned', () => {
  it('indexes tickets by owner and lets the report tool query that index (and no longer the reporter one)', () => {
    const tickets = resourcesOf(dev)[tableId(dev, 'Tickets')] as Resource;
    expect(tickets.Properties.GlobalSecondaryIndexes).toContainEqual(
      expect.objectContaining({
        IndexName: 'owner-index',
        KeySchema: [
          { AttributeName: 'owner', KeyType: 'HASH' },
          { AttributeName: 'createdAt', KeyType: 'RANGE' },
        ],
      }),
    );
    const [, report] = functionByDescription(dev, /report/i);
    const queries = statementsOf(dev, report).filter((s) => [s.Action].flat().includes('dynamodb:Query'));
    expect(JSON.stringify(queries)).toContain('/index/owner-index');
    expect(JSON.stringify(queries)).not.toContain('/index/reporter-index');
  });
});

describe('API keys name apps by key id (never by key value)', () => {
  it('gives the functions that derive the caller a keyId → app map built from the keys themselves', () => {
    for (const pattern of [
      /^POST \/chat/,
      /^GET \/conversations\/\{/,
      /^GET \/conversations:/,
      /\$connect authorizer/,
    ]) {
      const [, fn] = functionByDescription(dev, pattern);
      const vars = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(JSON.stringify(vars.API_KEY_APPS)).toMatch(/"Ref":"\w*ApiKey/);
    }
  });
});

describe('Config: keys name apps, operators, browser origins', () => {
  const withKeys = (apiKeys: unknown) => ChatApiConfigSchema.safeParse({ ...DEV_CHAT_API, apiKeys });

  it('names each key’s app: a plain name is its own app; a rotated key names the app it serves', () => {
    const parsed = withKeys(['web-app', { name: 'web-app-2027', app: 'web-app' }, 'ops-console']);
    expect(parsed.success && parsed.data.apiKeys).toEqual([
      { name: 'web-app', app: 'web-app' },
      { name: 'web-app-2027', app: 'web-app' },
      { name: 'ops-console', app: 'ops-console' },
    ]);
    expect(withKeys(['web-app', 'web-app']).success).toBe(false);
    expect(withKeys([{ name: 'web-app', app: 'Web App' }]).success).toBe(false);
  });

  it('maps both keys of a rotated app to the same app at synth, by key id (Refs, never values)', () => {
    const { template } = buildRotated();
    const chat = Object.values(template.toJSON().Resources as Record<string, Resource>).find(
      (r) => r.Type === 'AWS::Lambda::Function' && /^POST \/chat/.test(String(r.Properties.Description)),
    );
    const env = chat?.Properties.Environment as { Variables: Json } | undefined;
    const map = JSON.stringify(env?.Variables.API_KEY_APPS);
    expect(map.match(/"Ref":"\w+ApiKeywebapp[0-9A-F]{8}"/g)).toHaveLength(1);
    expect(map.match(/"Ref":"\w+ApiKeywebapp2027[0-9A-F]{8}"/g)).toHaveLength(1);
    expect(map.match(/\\":\\"web-app\\"/g)).toHaveLength(2);
  });

  it('passes the operators to every function that derives callers', () => {
    const { template } = buildRotated();
    const vars = Object.values(template.toJSON().Resources as Record<string, Resource>)
      .filter(
        (r) =>
          r.Type === 'AWS::Lambda::Function' &&
          'OPERATOR_USER_IDS' in ((r.Properties.Environment as { Variables?: Json })?.Variables ?? {}),
      )
      .map((r) => (r.Properties.Environment as { Variables: Json }).Variables);
    // POST /chat, GET /conversations, GET /conversations/{id} and the WebSocket authorizer.
    expect(vars).toHaveLength(4);
    for (const v of vars)
      expect(v).toMatchObject({
        OPERATOR_GROUPS: 'kass-operators',
        OPERATOR_USER_IDS: 'app:web-app:user:lead',
      });
  });
});

let rotated: { template: Template } | undefined;
/** The dev app with a rotated key (two keys of app web-app) and configured operators, built once. */
function buildRotated(): { template: Template } {
  rotated ??= {
    template: Template.fromStack(
      buildApp({
        stage: 'dev',
        nag: false,
        context: {
          'aws:cdk:bundling-stacks': [],
          'kass:config': {
            chatApi: {
              apiKeys: ['web-app', { name: 'web-app-2027', app: 'web-app' }],
              operators: { cognitoGroups: ['kass-operators'], userIds: ['app:web-app:user:lead'] },
            },
          },
        },
      }).stack,
    ),
  };
  return rotated;
}
