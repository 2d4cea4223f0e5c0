import * as bedrock from '@aws-cdk/aws-bedrock-alpha';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { LAMBDA_ENV } from '../../contracts/function-env';
import { TABLE_KEYS } from '../../contracts/tables';
import { ConfigError } from '../../infra/config/config-error';
import { Data } from '../../infra/constructs/data';
import { discoverTools } from '../../infra/constructs/tool-discovery';
import { ToolResources } from '../../infra/constructs/tool-resources';
import { Tools } from '../../infra/constructs/tools';
import { needs } from '../fixtures/infra/needs-fixture';
import { buildTestApp } from '../support/app';
import { fixtureTool, testConfig, testStack } from '../support/cdk';
import { REPO_ROOT } from '../support/cli-io';

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

/** A stack with the fixture tool wired from `descriptor`, and what the construct made of it. */
function wire(descriptor: unknown = needs, configOverrides: Record<string, unknown> = {}) {
  const stack = testStack();
  const config = testConfig(configOverrides);
  const data = new Data(stack, 'Data', { retainData: false });
  const topic = new sns.Topic(stack, 'Events');
  const tools = new Tools(stack, 'Tools', {
    tools: [{ ...fixtureTool('fixture'), needs: descriptor as typeof needs }],
    config,
    toolLogs: data.toolLogs,
  });
  const guardrail = bedrock.Guardrail.fromGuardrailAttributes(stack, 'Guardrail', {
    guardrailArn: 'arn:aws:bedrock:us-east-1:123456789012:guardrail/gr123',
    guardrailVersion: '3',
  });
  const resources = new ToolResources(stack, 'ToolResources', {
    config,
    tools,
    tables: { tickets: data.tickets, conversations: data.conversations, toolLogs: data.toolLogs },
    topics: { notifications: topic },
    guardrail,
  });
  return { stack, template: Template.fromStack(stack), resources, config };
}

/** The fixture tool's Lambda environment and the statements of its role. */
function wiredTool(template: Template): { env: Record<string, unknown>; statements: Statement[] } {
  const [fn] = Object.values(template.findResources('AWS::Lambda::Function'));
  const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
    JSON.stringify(p.Properties.Roles).includes('Toolsfixture'),
  );
  return {
    env: fn?.Properties.Environment.Variables,
    statements: policies.flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]),
  };
}

const actionsOf = (statements: readonly Statement[]): string[] =>
  statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])).sort();

describe('Class: ToolResources (descriptor → grants and variables)', () => {
  const { template, resources } = wire();
  const { env, statements } = wiredTool(template);

  it('sets exactly the variables the descriptor declares, plus the house ones', () => {
    const declared = Object.values(needs.variables).map((v) => v.name);
    expect(Object.keys(env).sort()).toEqual([...declared, ...LAMBDA_ENV.names].sort());
  });

  it('sets each variable from its source', () => {
    expect(env).toMatchObject({
      RECORDS_TABLE: { Ref: expect.stringMatching(/^DataTickets/) },
      HISTORY_TABLE: { Ref: expect.stringMatching(/^DataConversations/) },
      EVENTS_TOPIC: { Ref: expect.stringMatching(/^Events/) },
      API_KEY_SECRET: { Ref: expect.stringMatching(/^ToolResourcesFixtureApiKey/) },
      BUDGET: '120000',
      PROJECTS: '',
      UNIDENTIFIED_TOOL_CALLS: 'operator',
      MODEL_ID: expect.stringMatching(/^us\.anthropic\./),
      GUARDRAIL_ID: 'gr123',
      GUARDRAIL_VERSION: '3',
    });
  });

  it('grants exactly what the sources carry: table actions, Query on named indexes, publish, read, model, guardrail', () => {
    expect(actionsOf(statements)).toEqual(
      [
        'bedrock:ApplyGuardrail',
        'bedrock:InvokeModel',
        'dynamodb:GetItem',
        'dynamodb:PutItem', // the house ToolLogs grant
        'dynamodb:Query',
        'dynamodb:Query',
        'dynamodb:Query',
        'secretsmanager:DescribeSecret',
        'secretsmanager:GetSecretValue',
        'sns:Publish',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ].sort(),
    );
    const indexQuery = statements.find((s) => JSON.stringify(s.Resource).includes('/index/'));
    expect(JSON.stringify(indexQuery?.Resource)).toContain(`/index/${TABLE_KEYS.tickets.statusIndex}`);
    expect(JSON.stringify(statements)).not.toContain('/index/*');
  });

  it('creates the secret with its first value and the rotation reason', () => {
    expect(resources.secrets.has('FixtureApiKey')).toBe(true);
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Description: 'A key for the fixture tool',
      GenerateSecretString: Match.objectLike({ SecretStringTemplate: '{"key":""}' }),
    });
  });

  it('refuses calls without a caller on AgentCore, whatever the stage says', () => {
    const { env: agentcore } = wiredTool(wire(needs, { agent: { engine: 'agentcore' } }).template);
    expect(agentcore.UNIDENTIFIED_TOOL_CALLS).toBe('refuse');
  });

  it('fails synth naming the descriptor when its settings or a table do not exist', () => {
    const broken = { ...needs, settings: 'nope' };
    expect(() => wire(broken)).toThrow(ConfigError);
    expect(() => wire(broken)).toThrow(
      /action-groups\/fixture\/needs\.ts: settings 'nope' is not a section of tools/,
    );
  });
});

describe('The shipped tools: every variable their handlers read is set, and nothing else', () => {
  const { template, stack } = buildTestApp('dev');
  const functions = template.findResources('AWS::Lambda::Function');

  it.each(discoverTools(REPO_ROOT).map((tool) => [tool.name, tool] as const))('%s', (name, tool) => {
    const fn = Object.entries(functions).find(([, f]) =>
      String(f.Properties.Description).startsWith(`KASS action group '${name}'`),
    )?.[1];
    const declared = Object.values(tool.needs?.variables ?? {}).map((v) => v.name);
    expect(Object.keys(fn?.Properties.Environment.Variables ?? {}).sort()).toEqual(
      [...new Set([...declared, 'TOOL_LOGS_TABLE_NAME', ...LAMBDA_ENV.names])].sort(),
    );
    expect(stack.node.tryFindChild('ToolResources')).toBeDefined();
  });
});
