import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DiscordConfigSchema, enabledDiscord } from '../../infra/config/discord-config';
import { ChatData } from '../../infra/constructs/chat-data';
import { Data } from '../../infra/constructs/data';
import { DiscordBot } from '../../infra/constructs/discord';
import { formatSummary, summarizeTemplate } from '../../infra/summary';
import { buildTestApp } from '../support/app';
import { testApp, testStack } from '../support/cdk';
import { DISCORD, discordConfig } from '../support/discord';

const PUBLIC_KEY = 'a1'.repeat(32);
const AGENT = {
  agentId: 'AGENT12345',
  aliasId: 'ALIAS12345',
  aliasArn: 'arn:aws:bedrock:us-east-1:123456789012:agent-alias/AGENT12345/ALIAS12345',
};
type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

/** The bot on a fresh stack, with the chat tables it shares. */
function build(overrides: Record<string, unknown> = {}) {
  const stack = testStack(testApp());
  const data = new Data(stack, 'Data', { retainData: false });
  const chatData = new ChatData(stack, 'ChatData', { retainData: false });
  const alarms = new sns.Topic(stack, 'Alarms');
  const config = enabledDiscord(DiscordConfigSchema.parse({ ...discordConfig(PUBLIC_KEY), ...overrides }));
  if (!config) throw new Error('the test config must turn the bot on');
  const bot = new DiscordBot(stack, 'Discord', {
    stage: 'dev',
    config,
    functionDefaults: { logLevel: 'INFO', logRetentionDays: 14, retainLogs: false },
    retainData: false,
    agent: AGENT,
    conversations: data.conversations,
    agentState: chatData.agentState,
    conversationTtlDays: 30,
    operators: { cognitoGroups: [], userIds: ['discord:123456789012345678'] },
    maxQuestionChars: 4000,
    methodLoggingLevel: 'INFO',
    alarmTopic: alarms,
  });
  const template = Template.fromStack(stack);
  return {
    stack,
    bot,
    template,
    ref: (c: { node: { defaultChild?: unknown } }) =>
      stack.resolve((c.node.defaultChild as { ref: string }).ref),
  };
}

describe('Construct: DiscordBot', () => {
  const { stack, bot, template } = build();
  const resources = template.toJSON().Resources as Resources;
  const logicalId = (construct: { node: { defaultChild?: unknown } }) =>
    stack.getLogicalId(construct.node.defaultChild as Parameters<typeof stack.getLogicalId>[0]);
  const ingressId = logicalId(bot.interactions.ingress.function);
  const workerId = logicalId(bot.worker.worker.function);
  const dlqId = logicalId(bot.worker.deadLetterQueue);

  describe('the interactions route', () => {
    it('is POST /interactions with no authorizer, a validator requiring both signature headers, a 3 s integration', () => {
      template.hasResourceProperties('AWS::ApiGateway::Method', {
        HttpMethod: 'POST',
        OperationName: 'DiscordInteractions',
        AuthorizationType: 'NONE',
        ApiKeyRequired: false,
        RequestParameters: {
          'method.request.header.X-Signature-Ed25519': true,
          'method.request.header.X-Signature-Timestamp': true,
        },
        RequestValidatorId: Match.anyValue(),
        Integration: Match.objectLike({ Type: 'AWS_PROXY', TimeoutInMillis: 3000 }),
      });
      template.hasResourceProperties('AWS::ApiGateway::RequestValidator', {
        ValidateRequestBody: true,
        ValidateRequestParameters: true,
      });
    });

    it('answers requests the validator stops with 401, as Discord expects of any unverified request', () => {
      for (const type of ['BAD_REQUEST_PARAMETERS', 'BAD_REQUEST_BODY']) {
        template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
          ResponseType: type,
          StatusCode: '401',
          ResponseTemplates: { 'application/json': Match.stringLikeRegexp('invalid request signature') },
        });
      }
    });

    it('has an explicit throttle, JSON access logs, X-Ray and no payload logging', () => {
      template.hasResourceProperties('AWS::ApiGateway::Stage', {
        TracingEnabled: true,
        AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('^\\{') },
        MethodSettings: Match.arrayWith([
          Match.objectLike({
            HttpMethod: '*',
            ResourcePath: '/*',
            DataTraceEnabled: false,
            LoggingLevel: 'INFO',
            ThrottlingRateLimit: 50,
            ThrottlingBurstLimit: 100,
          }),
        ]),
      });
    });

    it('runs an ingress of at most 3 s that may only put events on the bot’s bus', () => {
      const ingress = resources[ingressId]?.Properties ?? {};
      expect(ingress.Timeout).toBeLessThanOrEqual(3);
      const policies = Object.values(resources).filter(
        (r) =>
          r.Type === 'AWS::IAM::Policy' &&
          JSON.stringify(r.Properties?.Roles).includes('IngressFunctionRole'),
      );
      const actions = policies.flatMap((p) =>
        (
          (p.Properties?.PolicyDocument ?? { Statement: [] }) as {
            Statement: { Action: string | string[] }[];
          }
        ).Statement.flatMap((s) => s.Action),
      );
      expect(actions.sort()).toEqual([
        'events:PutEvents',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ]);
      expect(JSON.stringify(policies)).not.toContain('bedrock');
    });

    it('alarms on p99 latency against Discord’s 3 s and on any 5XX, notifying the alarm topic', () => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'Latency',
        ExtendedStatistic: 'p99',
        Threshold: 2500,
        AlarmActions: [Match.objectLike({ Ref: Match.stringLikeRegexp('^Alarms') })],
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: '5XXError',
        Namespace: 'AWS/ApiGateway',
        AlarmActions: [Match.objectLike({ Ref: Match.stringLikeRegexp('^Alarms') })],
      });
    });
  });

  describe('the deferred path', () => {
    it('is asynchronous: an EventBridge rule on the bot’s bus targets the worker, with a DLQ and one retry', () => {
      template.hasResourceProperties('AWS::Events::Rule', {
        EventBusName: { Ref: logicalId(bot.bus) },
        EventPattern: { source: ['kass.discord'], 'detail-type': ['Discord interaction'] },
        Targets: [
          {
            Arn: { 'Fn::GetAtt': [workerId, 'Arn'] },
            Id: Match.anyValue(),
            DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlqId, 'Arn'] } },
            RetryPolicy: { MaximumRetryAttempts: 1, MaximumEventAgeInSeconds: 540 },
          },
        ],
      });
    });

    it('retries a failed worker invocation at most once, then sends it to the same DLQ', () => {
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: workerId },
        MaximumRetryAttempts: 1,
        MaximumEventAgeInSeconds: 540,
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [dlqId, 'Arn'] } } },
      });
    });

    it('keeps DLQ messages 14 days, encrypted, SSL-only, and alarms on their depth', () => {
      expect(resources[dlqId]?.Properties).toMatchObject({
        MessageRetentionPeriod: 1209600,
        SqsManagedSseEnabled: true,
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqId, 'QueueName'] } }],
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        AlarmActions: [Match.objectLike({ Ref: Match.stringLikeRegexp('^Alarms') })],
      });
    });

    it('caps the worker with reserved concurrency and a timeout below the token’s 13 usable minutes', () => {
      const worker = resources[workerId]?.Properties ?? {};
      expect(worker.ReservedConcurrentExecutions).toBe(2);
      expect(worker.Timeout).toBeLessThan(780);
      expect((worker.Environment as { Variables: Record<string, unknown> }).Variables).toMatchObject({
        AGENT_DEADLINE_SECONDS: '240',
        CHAT_CONFIRMATIONS: 'ask',
        DISCORD_API_BASE_URL: 'https://discord.com/api/v10',
        RATE_LIMIT_QUESTIONS: '5',
        RATE_LIMIT_WINDOW_SECONDS: '60',
        AGENT_ID: 'AGENT12345',
        AGENT_ALIAS_ID: 'ALIAS12345',
      });
    });

    it('lets the worker invoke only the agent alias and write only what it writes', () => {
      const policy = Object.values(resources).find(
        (r) =>
          r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties?.Roles).includes('WorkerFunctionRole'),
      );
      const statements = (
        (policy?.Properties?.PolicyDocument ?? { Statement: [] }) as {
          Statement: { Action: unknown; Resource: unknown }[];
        }
      ).Statement;
      const actions = statements
        .flatMap((s) => ([] as string[]).concat(s.Action as string | string[]))
        .sort();
      expect(actions).toEqual([
        'bedrock:InvokeAgent',
        // A turn's two messages in one transaction, checked against the turn's claim on Agent State.
        'dynamodb:ConditionCheckItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:UpdateItem',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        // The on-failure destination: Lambda sends the failed invocation to the DLQ with this role.
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:SendMessage',
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ]);
      expect(statements.find((s) => s.Action === 'bedrock:InvokeAgent')?.Resource).toBe(AGENT.aliasArn);
    });
  });

  it('keeps idempotency and rate-limit records with a TTL on expires_at, PITR and encryption', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expires_at', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: Match.anyValue(),
    });
  });

  it('creates the bot-token secret empty, and no function can read it', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'kass/dev/discord-bot-token',
      GenerateSecretString: { SecretStringTemplate: '{"token":""}', GenerateStringKey: 'placeholder' },
    });
    const secretId = logicalId(bot.botToken);
    const policies = Object.values(resources).filter((r) => r.Type === 'AWS::IAM::Policy');
    expect(JSON.stringify(policies)).not.toContain(secretId);
    expect(JSON.stringify(policies)).not.toContain('secretsmanager:');
  });
});

describe('Discord configuration', () => {
  const parse = (input: Record<string, unknown>) => DiscordConfigSchema.safeParse(input);
  const problems = (input: Record<string, unknown>) => {
    const result = parse(input);
    return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  it('is off by default and then needs nothing else', () => {
    expect(DiscordConfigSchema.parse(undefined)).toMatchObject({ enabled: false });
    expect(problems({ enabled: false })).toEqual([]);
  });

  it('names every missing key when turned on bare', () => {
    expect(problems({ enabled: true })).toEqual([
      expect.stringMatching(/^applicationId: applicationId is required/),
      expect.stringMatching(/^publicKey: publicKey is required/),
      expect.stringMatching(/^guildIds: guildIds must list the server ids/),
    ]);
  });

  it.each([
    [{ publicKey: 'xyz' }, 'publicKey: publicKey must be the 64 hex characters of the Public Key'],
    [{ publicKey: 'a'.repeat(65) }, 'publicKey: publicKey must be the 64 hex characters of the Public Key'],
    [{ applicationId: '12ab' }, 'applicationId: applicationId must be a Discord id (17-20 digits)'],
    [
      { apiBaseUrl: 'http://discord.com/api' },
      'apiBaseUrl: apiBaseUrl must be an https:// URL (http:// only for localhost)',
    ],
    [
      { worker: { memoryMb: 512, timeoutSeconds: 780, agentDeadlineSeconds: 60, reservedConcurrency: 1 } },
      'worker.timeoutSeconds: worker.timeoutSeconds must be below 780 (at most 779): the interaction token expires after 15 minutes',
    ],
    [
      { worker: { memoryMb: 512, timeoutSeconds: 779, agentDeadlineSeconds: 765, reservedConcurrency: 1 } },
      'worker.agentDeadlineSeconds: worker.agentDeadlineSeconds must be at most worker.timeoutSeconds - 15 (764): the worker needs time to post the answer',
    ],
  ])('refuses %j naming the key', (override, message) => {
    expect(problems({ ...discordConfig(PUBLIC_KEY), ...override })).toEqual([message]);
  });

  it('accepts the limits: a 779 s worker with a 764 s agent deadline, a key in capitals (stored lower case)', () => {
    const parsed = DiscordConfigSchema.parse({
      ...discordConfig(PUBLIC_KEY.toUpperCase()),
      worker: { memoryMb: 512, timeoutSeconds: 779, agentDeadlineSeconds: 764, reservedConcurrency: 1 },
    });
    expect(parsed.publicKey).toBe(PUBLIC_KEY);
  });

  it.each(['dev', 'prod', 'local'])(
    'leaves the bot off in the shipped %s stage (no Discord resources)',
    (stage) => {
      const { template } = buildTestApp(stage);
      template.resourceCountIs('AWS::Events::EventBus', 0);
      expect(JSON.stringify(template.toJSON())).not.toMatch(/DISCORD_|DiscordInteractions/);
    },
  );
});

describe.each(['dev', 'prod'])('The %s stack with Discord on (-c kass:config)', (stage) => {
  const { app, template } = buildTestApp(stage, { config: { discord: discordConfig(PUBLIC_KEY) } });
  const resources = template.toJSON().Resources as Resources;

  it('publishes the interactions URL, the application id and the token secret for `kass discord register`', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(JSON.stringify(outputs.DiscordInteractionsUrl?.Value)).toMatch(/\/interactions"/);
    expect(outputs.DiscordApplicationId?.Value).toBe(DISCORD.applicationId);
    expect(outputs.DiscordBotTokenSecretArn?.Value).toEqual({
      Ref: expect.stringMatching(/^DiscordBotToken/),
    });
  });

  it('puts no secret value in any environment variable (the public key is 64 hex, and only that)', () => {
    for (const [id, fn] of Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function')) {
      const vars =
        (fn.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
      for (const [name, value] of Object.entries(vars)) {
        if (typeof value !== 'string') continue;
        if (name === 'DISCORD_PUBLIC_KEY') {
          expect({ id, value }).toEqual({ id, value: PUBLIC_KEY });
          continue;
        }
        expect({
          id,
          name,
          secretLike: /glpat-|-----BEGIN|^[A-Za-z0-9+/]{40,}={0,2}$|Bot |token/i.test(value),
        }).toEqual({
          id,
          name,
          secretLike: false,
        });
      }
      // A variable may name a secret by ARN; none carries a token itself.
      expect(Object.keys(vars).filter((n) => /(^|_)TOKEN(_|$)/.test(n) && !n.endsWith('_ARN'))).toEqual([]);
    }
  });

  it('reports the bot on its own line of the synth summary, apart from the chat API routes', () => {
    const summary = summarizeTemplate('kass', template.toJSON());
    expect(summary.discord).toEqual({
      route: 'POST /interactions (Ed25519-verified, deferred)',
      trigger: 'EventBridge rule → worker Lambda (DLQ)',
    });
    expect(summary.chatApi?.restMethods).not.toContain('POST /interactions');
    expect(formatSummary(summary)).toContain(
      '  Discord bot: POST /interactions (Ed25519-verified, deferred);',
    );
  });

  it('watches both Discord functions for errors and throttles', () => {
    for (const name of ['DiscordIngress', 'DiscordWorker']) {
      for (const metric of ['Errors', 'Throttles']) {
        const alarm = Object.values(resources).find(
          (r) =>
            r.Type === 'AWS::CloudWatch::Alarm' &&
            r.Properties?.MetricName === metric &&
            String(r.Properties?.AlarmDescription).startsWith(`KASS ${name}:`),
        );
        expect({ name, metric, found: alarm !== undefined }).toEqual({ name, metric, found: true });
      }
    }
  });

  it('has no unacknowledged cdk-nag finding', () => {
    const report = new AwsSolutionsChecks(app, { verbose: true }).validateScope(app);
    expect(
      report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath)}`),
    ).toEqual([]);
  });
});
