import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../infra/app';
import { formatSummary, summarizeTemplate } from '../../infra/summary';
import { buildTestApp } from '../support/app';

describe('Function: summarizeTemplate', () => {
  it('reports the agent, its tools with operations, guardrail, knowledge base and chat API of the dev stack', () => {
    // Prepare
    const { template, stack } = buildTestApp('dev');
    // Act
    const summary = summarizeTemplate(stack.stackName, template.toJSON());
    const text = formatSummary(summary, new Map([['kass-report', 900 * 1024]]));
    // Assess
    expect(summary.agent?.model).toBe('us.anthropic.claude-sonnet-4-5-20250929-v1:0');
    expect(summary.agent?.actionGroups.filter((g) => g.executor === 'lambda').map((g) => g.name)).toEqual([
      'code-review',
      'report',
      'summarize',
    ]);
    expect(summary.guardrailVersions).toBe(1);
    expect(summary.knowledgeBases).toEqual(['kass-dev-docs']);
    expect(text).toContain('Knowledge bases: kass-dev-docs (OPENSEARCH_SERVERLESS, parsing default)');
    expect(summary.chatApi?.restMethods).toEqual(
      expect.arrayContaining([
        'GET /health',
        'POST /chat',
        'POST /search',
        'GET /conversations/{conversationId}',
      ]),
    );
    expect(summary.chatApi?.webSocketRoutes).toEqual(expect.arrayContaining(['$connect', 'sendMessage']));
    expect(text).toContain('POST /tickets (createTicket)');
    expect(text).toContain('kass-report 900 kB');
    expect(text).toMatch(/Chat API: REST .*POST \/chat/);
    expect(text).toMatch(/WebSocket .*\$connect/);
    expect(text).not.toContain('CodeInterpreterAction');
    expect(summary.resourceCount).toBe(Object.keys(template.toJSON().Resources).length);
  });

  it('reports the harness, its tools, hook and endpoint, and the gateway targets of an AgentCore stack', () => {
    // Prepare
    const { stack } = buildApp({
      stage: 'dev',
      context: { 'aws:cdk:bundling-stacks': [], 'kass:config': { agent: { engine: 'agentcore' } } },
      nag: false,
    });
    // Act
    const summary = summarizeTemplate(stack.stackName, Template.fromStack(stack).toJSON());
    const text = formatSummary(summary);
    // Assess
    expect(summary.agent).toBeUndefined();
    expect(summary.harness).toMatchObject({
      name: 'kass_dev',
      model: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
      maxIterations: 12,
      timeoutSeconds: 300,
      hooks: ['BeforeInvocation guardrail-input'],
      endpoints: ['kass_dev'],
    });
    expect(summary.harness?.targets.kb).toEqual(['search']);
    expect(summary.harness?.targets.report).toEqual(['listTickets', 'getTicket']);
    expect(text).toContain('Harness kass_dev (AgentCore)');
    expect(text).toContain('inline report___createTicket');
  });

  it('names the vector store and the parser of the knowledge base', () => {
    const { template, stack } = buildTestApp('dev', {
      config: {
        knowledgeBase: { vectorStore: 's3-vectors', parsing: 'data-automation', dataSourceGeneration: 2 },
      },
    });
    const text = formatSummary(summarizeTemplate(stack.stackName, template.toJSON()));
    expect(text).toContain(
      'Knowledge bases: kass-dev-docs-s3v (S3_VECTORS, parsing BEDROCK_DATA_AUTOMATION)',
    );
  });
});
