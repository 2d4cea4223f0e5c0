import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Template } from 'aws-cdk-lib/assertions';
import { createTableInput } from '../../cli/local-aws';
import { localToolHandlers } from '../../cli/local-tools';
import { StackOutputs } from '../../cli/stack-outputs';
import { stageToolEnv } from '../../cli/tool-stage';
import { processEnv, setProcessEnv } from '../../contracts/env';
import type { TableName } from '../../contracts/tables';
import type { AnyToolNeeds } from '../../contracts/tool-needs';
import { buildTestApp } from '../support/app';
import { AwsAccountFake } from '../support/aws-account-server';
import { type LocalDynamo, startDynalite } from '../support/dynalite';
import { perSuite } from '../support/lifecycle';
import { environmentOf, functionsOf, literal, type TemplateResources } from '../support/template-env';
import { shippedToolNames } from '../support/tools';
import { isolatedToolEnv, kass } from './tool-harness';

/**
 * `kass tool` against a deployed stage: the stack's outputs (those of the synthesized dev template, rendered
 * as literals) served by the CloudFormation stand-in, the tables by dynalite under the names the outputs give.
 */

const { stack, template } = buildTestApp('dev');
const resources = template.toJSON().Resources as TemplateResources;

function outputsOf(t: Template): Record<string, string> {
  const outputs = t.toJSON().Outputs as Record<string, { Value: unknown }>;
  return Object.fromEntries(Object.entries(outputs).map(([key, o]) => [key, literal(o.Value, resources)]));
}

const STAGE_OUTPUTS = outputsOf(template);
const REPORT_TABLES: readonly TableName[] = ['tickets', 'toolLogs'];
const tableOf = (table: TableName): string => {
  const name = STAGE_OUTPUTS[`${table[0]?.toUpperCase()}${table.slice(1)}TableName`];
  if (!name) throw new Error(`the dev stack has no output for table ${table}`);
  return name;
};

async function createTables(client: DynamoDBClient, tables: readonly TableName[]): Promise<void> {
  for (const table of tables)
    await client.send(new CreateTableCommand(createTableInput(tableOf(table), table)));
}

/** The agent's return-of-control call of report listTickets, and its context. */
const LIST_TICKETS_CALL = {
  kind: 'api' as const,
  actionGroup: 'report',
  invocationType: 'RESULT' as const,
  apiPath: '/tickets',
  httpMethod: 'GET',
  parameters: [],
};
const CALL_CONTEXT = {
  sessionId: 's-1',
  invocationId: 'i-1',
  sessionAttributes: {},
  promptSessionAttributes: {},
};

const cloudFormation = perSuite(
  () => AwsAccountFake.start(),
  (fake) => fake.close(),
  (fake) => {
    fake.reset();
    fake.account.stacks['kass-dev'] = { ...STAGE_OUTPUTS };
  },
);
const dynamo = perSuite<LocalDynamo>(
  () => startDynalite(),
  (d) => d.stop(),
);

describe('kass tool: the environment', () => {
  isolatedToolEnv(() => ({
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'FAKE',
    AWS_SECRET_ACCESS_KEY: 'FAKE',
  }));

  it('names every missing variable of the tool at once, with what it is for, and exits 2', async () => {
    // Act
    const { code, out, err } = await kass('tool', 'summarize', 'summarizeText', '--body', '{"text":"x"}');

    // Assess
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toContain('summarize cannot run: 6 environment variables are missing or invalid');
    const expected: readonly (readonly [string, string])[] = [
      ['TOOL_LOGS_TABLE_NAME', 'name of the ToolLogs DynamoDB table'],
      ['CONVERSATIONS_TABLE_NAME', 'name of the DynamoDB table conversations (Query)'],
      ['MAX_OUTPUT_TOKENS', 'tools.summarize.maxOutputTokens of the stage config'],
      ['MODEL_ID', 'inference profile id of the model tools.summarize.model'],
      ['GUARDRAIL_ID', "id of the stage's guardrail"],
      ['GUARDRAIL_VERSION', "version of the stage's guardrail"],
    ];
    for (const [name, purpose] of expected) {
      expect(err).toMatch(new RegExp(`\\n {2}${name} +missing: ${purpose.replace(/[().]/g, '\\$&')}`));
    }
    expect(err).toContain('--stage <name>  fill them from the outputs of the deployed stack kass-<name>');
    expect(err).toContain('--local ');
    expect(err).not.toMatch(/\n\s+at /);
  });

  it('names an invalid value with its problem, next to the missing ones', async () => {
    // Prepare
    setProcessEnv({ MAX_DIFF_CHARS: '5', GITLAB_BASE_URL: 'https://gitlab.example.com' });

    // Act
    const { code, err } = await kass('tool', 'code-review', 'reviewMergeRequest', '--param', 'projectId=1');

    // Assess
    expect(code).toBe(2);
    expect(err).toContain('code-review cannot run: 7 environment variables are missing or invalid');
    expect(err).toContain('MAX_DIFF_CHARS must be a whole number from 1000 to 400000.');
    expect(err).toMatch(/GITLAB_TOKEN_SECRET_ARN +missing: ARN of the Secrets Manager secret GitLabToken/);
    expect(err).not.toContain('GITLAB_BASE_URL ');
  });

  it('fills every variable from the stage, exactly as the stack sets it on each tool Lambda', async () => {
    // Prepare
    const tools = functionsOf(stack).flatMap(({ entry, logicalId }) => {
      const group = /action-groups\/([^/]+)\/handler\.ts$/.exec(entry)?.[1];
      return group ? [{ group, logicalId }] : [];
    });
    expect(tools.map((t) => t.group).sort()).toEqual(shippedToolNames());
    setProcessEnv({ AWS_ENDPOINT_URL_CLOUDFORMATION: cloudFormation.endpoint });

    for (const { group, logicalId } of tools) {
      const { needs } = (await import(`../../action-groups/${group}/needs`)) as { needs: AnyToolNeeds };
      const lambda = environmentOf(logicalId, resources);
      const expected = Object.fromEntries(
        Object.values(needs.variables)
          .filter((v) => v.source.kind !== 'unidentified-calls')
          .map((v) => [v.name, lambda[v.name]]),
      );

      // Act
      const filled = await stageToolEnv(
        needs,
        group,
        new StackOutputs('dev', {
          ...processEnv(),
          AWS_ENDPOINT_URL_CLOUDFORMATION: cloudFormation.endpoint,
        }),
        {},
      );

      // Assess
      expect(filled).toEqual(expected);
      // (toEqual would let an unset variable on both sides pass.)
      expect(Object.values(expected)).not.toContain(undefined);
    }
  });

  it('runs the tool against the stage (--stage dev): its tables, with your credentials', async () => {
    // Prepare
    await createTables(dynamo.client, REPORT_TABLES);
    setProcessEnv({
      AWS_ENDPOINT_URL_CLOUDFORMATION: cloudFormation.endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    });

    try {
      // Act
      const { code, out, err } = await kass('tool', 'report', 'listTickets', '--stage', 'dev');

      // Assess
      expect(err).toBe('');
      expect(code).toBe(0);
      expect(out).toMatch(/^200 OK {2}GET \/tickets/);
      expect(processEnv().TICKETS_TABLE_NAME).toBe(tableOf('tickets'));
    } finally {
      await dynamo.deleteTables(REPORT_TABLES.map(tableOf));
    }
  });

  it('keeps a variable you set over the stage output', async () => {
    // Prepare
    await dynamo.client.send(new CreateTableCommand(createTableInput('my-own-tickets', 'tickets')));
    await createTables(dynamo.client, ['toolLogs']);
    setProcessEnv({
      AWS_ENDPOINT_URL_CLOUDFORMATION: cloudFormation.endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      TICKETS_TABLE_NAME: 'my-own-tickets',
    });

    try {
      // Act
      const { code } = await kass('tool', 'report', 'listTickets', '--stage', 'dev');

      // Assess
      expect(code).toBe(0);
      expect(processEnv().TICKETS_TABLE_NAME).toBe('my-own-tickets');
    } finally {
      await dynamo.deleteTables(['my-own-tickets', tableOf('toolLogs')]);
    }
  });

  it('shows the real cause of a failure (a missing table) after the message for the model', async () => {
    // Prepare: the stage's Tickets table does not exist here.
    await createTables(dynamo.client, ['toolLogs']);
    setProcessEnv({
      AWS_ENDPOINT_URL_CLOUDFORMATION: cloudFormation.endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    });

    try {
      // Act
      const { code, out, err } = await kass('tool', 'report', 'listTickets', '--stage', 'dev');

      // Assess
      expect(code).toBe(1);
      expect(out).toMatch(/^502 Bad Gateway {2}GET \/tickets/);
      expect(out).toContain('rejected the request');
      expect(err).toContain(
        `AWS calls that failed (the model sees only the response above):\n  DynamoDB Scan (table ${tableOf('tickets')}): ResourceNotFoundException: Requested resource not found`,
      );
    } finally {
      await dynamo.deleteTables([tableOf('toolLogs')]);
    }
  });

  it('says which outputs a stack lacks (a stage deployed before they existed)', async () => {
    // Prepare
    const { SummarizeToolEnvironment: _dropped, ...older } = STAGE_OUTPUTS;
    cloudFormation.account.stacks['kass-dev'] = older;
    setProcessEnv({ AWS_ENDPOINT_URL_CLOUDFORMATION: cloudFormation.endpoint });

    // Act
    const { code, err } = await kass(
      'tool',
      'summarize',
      'summarizeText',
      '--body',
      '{"text":"x"}',
      '--stage',
      'dev',
    );

    // Assess
    expect(code).toBe(2);
    expect(err).toContain('summarize cannot run: 2 environment variables are missing or invalid');
    expect(err).toContain('stack kass-dev has no output SummarizeToolEnvironment holding MAX_OUTPUT_TOKENS');
    expect(err).toContain('redeploy stage dev so its stack publishes them: npx cdk deploy -c stage=dev');
  });

  it('fills the tools of kass chat/ask --local-tools from the stage too', async () => {
    // Prepare
    await createTables(dynamo.client, REPORT_TABLES);
    setProcessEnv({
      AWS_ENDPOINT_URL_CLOUDFORMATION: cloudFormation.endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    });
    const handlers = localToolHandlers({ stage: 'dev' });

    try {
      // Act
      const outcome = await handlers['*']?.(LIST_TICKETS_CALL, CALL_CONTEXT);

      // Assess
      expect(outcome).toMatchObject({ status: 200 });
      expect(JSON.parse(String(outcome?.body))).toEqual({ tickets: [] });
    } finally {
      await dynamo.deleteTables(REPORT_TABLES.map(tableOf));
    }
  });

  it('names every missing variable at once for --local-tools when no stage provides them', async () => {
    // Prepare
    const handlers = localToolHandlers({});

    // Act
    const outcome = handlers['*']?.(LIST_TICKETS_CALL, CALL_CONTEXT);

    // Assess
    await expect(outcome).rejects.toMatchObject({
      name: 'LocalToolError',
      exitCode: 2,
      message: expect.stringMatching(
        /TOOL_LOGS_TABLE_NAME[\s\S]*TICKETS_TABLE_NAME[\s\S]*NOTIFICATIONS_TOPIC_ARN/,
      ),
    });
  });
});

describe('kass tool: no region', () => {
  isolatedToolEnv(() => ({
    TOOL_LOGS_TABLE_NAME: 'kass-dev-tool-logs',
    TICKETS_TABLE_NAME: 'kass-dev-tickets',
    NOTIFICATIONS_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:kass-dev-notifications',
    AWS_ACCESS_KEY_ID: 'FAKE',
    AWS_SECRET_ACCESS_KEY: 'FAKE',
  }));

  it('reports a missing region as kass sync and kass ask do: exit 1, no 500, no stack trace', async () => {
    // Act
    const tool = await kass('tool', 'report', 'listTickets');
    const ask = await kass('ask', 'hello', '--agent-id', 'AGENT12345', '--agent-alias-id', 'ALIAS12345');

    // Assess
    const sentence = 'No AWS region configured. Set AWS_REGION (or a profile with a region).';
    expect(tool.code).toBe(1);
    expect(tool.out).toBe('');
    expect(tool.err).toBe(`kass tool: ${sentence}\n`);
    expect(ask.code).toBe(1);
    expect(ask.err).toContain(`kass ask: ${sentence}`);
  });
});
