import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { schema } from '../../../action-groups/code-review/tool';
import { buildAgentEvent } from '../../../action-groups/kit/event-builder';
import { missingHandlers, type ToolHandler } from '../../../action-groups/kit/tool';
import { TABLE_KEYS } from '../../../contracts/tables';
import { type LocalDynamo, startDynalite } from '../../support/dynalite';

const TOOL_LOGS = 'kass-tool-logs-code-review';

const ENV = {
  GITLAB_BASE_URL: 'https://gitlab.example.com',
  GITLAB_PROJECT_ALLOWLIST: 'platform/api, 42',
  GITLAB_TOKEN_SECRET_ARN:
    'arn:aws:secretsmanager:us-east-1:123456789012:secret:kass/dev/gitlab-token-AbCdEf',
  MAX_DIFF_CHARS: '120000',
  MODEL_ID: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
  GUARDRAIL_ID: 'gr-kass',
  GUARDRAIL_VERSION: '3',
  TOOL_LOGS_TABLE_NAME: TOOL_LOGS,
} as const;

/** Loads handler.ts fresh (its cold start) with `env` on top of the valid environment. */
async function coldStart(
  env: Partial<Record<keyof typeof ENV, string | undefined>> = {},
): Promise<ToolHandler> {
  const saved = { ...process.env };
  for (const [key, value] of Object.entries({ ...ENV, ...env })) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  try {
    let loaded: ToolHandler | undefined;
    await jest.isolateModulesAsync(async () => {
      loaded = (await import('../../../action-groups/code-review/handler')).handler;
    });
    return loaded as ToolHandler;
  } finally {
    process.env = saved;
  }
}

describe('Handler: code-review cold start', () => {
  const saved = { ...process.env };
  let ddb: LocalDynamo;

  beforeAll(async () => {
    // The call recorder writes to ToolLogs through a client built from standard configuration: dynalite.
    ddb = await startDynalite({
      tables: [
        {
          name: TOOL_LOGS,
          partitionKey: TABLE_KEYS.toolLogs.partitionKey,
          sortKey: TABLE_KEYS.toolLogs.sortKey,
        },
      ],
    });
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_DYNAMODB: ddb.endpoint,
      AWS_ACCESS_KEY_ID: ddb.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: ddb.credentials.secretAccessKey,
    });
  });

  afterAll(async () => {
    process.env = saved;
    await ddb.stop();
  });

  afterEach(() => jest.restoreAllMocks());

  it('starts with a valid environment and handles every operation of the schema', async () => {
    // Act
    const handler = await coldStart();

    // Assess
    expect(missingHandlers(handler)).toEqual([]);
    expect(handler.definition.name).toBe('code-review');
  });

  it('starts with an empty allowlist and refuses every review with an operator message, calling nothing', async () => {
    // Prepare
    const handler = await coldStart({ GITLAB_PROJECT_ALLOWLIST: '' });
    const fetchSpy = jest.spyOn(globalThis, 'fetch');
    const event = buildAgentEvent({
      group: 'code-review',
      schemaText: schema,
      operationId: 'reviewMergeRequest',
      params: { projectId: 'platform%2Fapi', mergeRequestIid: 3 },
    });

    // Act
    const response = await handler(event);

    // Assess
    expect(response.response.httpStatusCode).toBe(403);
    expect(JSON.parse(response.response.responseBody['application/json'].body)).toEqual({
      error:
        'No GitLab project is allowed for code review in this deployment. Tell the user that an operator must add the project to tools.codeReview.projectAllowlist in the stage configuration and deploy again.',
    });
    expect(fetchSpy).not.toHaveBeenCalled();
    const logged = await ddb.client.send(new ScanCommand({ TableName: TOOL_LOGS }));
    expect(logged.Items).toHaveLength(1);
    expect(logged.Items?.[0]).toMatchObject({
      tool: { S: 'code-review' },
      operation: { S: 'reviewMergeRequest' },
      status: { N: '403' },
    });
  });

  it.each([
    'GITLAB_BASE_URL',
    'GITLAB_PROJECT_ALLOWLIST',
    'GITLAB_TOKEN_SECRET_ARN',
    'MAX_DIFF_CHARS',
    'MODEL_ID',
    'GUARDRAIL_ID',
    'GUARDRAIL_VERSION',
    'TOOL_LOGS_TABLE_NAME',
  ] as const)('fails the cold start without %s, naming it', async (name) => {
    // Act & Assess
    await expect(coldStart({ [name]: undefined })).rejects.toThrow(`Missing environment variable ${name}`);
  });

  it('refuses a token pasted into GITLAB_TOKEN_SECRET_ARN without echoing it', async () => {
    // Act
    const error = await coldStart({ GITLAB_TOKEN_SECRET_ARN: 'glpat-PASTEDbyMISTAKE123456' }).catch(
      (e: Error) => e,
    );

    // Assess
    expect((error as Error).message).toMatch(/must be the ARN of a Secrets Manager secret/);
    expect((error as Error).message).not.toContain('PASTED');
  });

  it.each([
    { name: 'an http GitLab URL', env: { GITLAB_BASE_URL: 'http://gitlab.example.com' }, message: /https/ },
    {
      name: 'a non-numeric MAX_DIFF_CHARS',
      env: { MAX_DIFF_CHARS: '120k' },
      message: /MAX_DIFF_CHARS must be/,
    },
    {
      name: 'a MAX_DIFF_CHARS out of range',
      env: { MAX_DIFF_CHARS: '999' },
      message: /MAX_DIFF_CHARS must be/,
    },
    {
      name: 'an invalid allowlist entry',
      env: { GITLAB_PROJECT_ALLOWLIST: 'platform/api,../admin' },
      message: /projectAllowlist\[1\]/,
    },
  ])('fails the cold start for $name', async ({ env, message }) => {
    // Act & Assess
    await expect(coldStart(env)).rejects.toThrow(message);
  });
});
