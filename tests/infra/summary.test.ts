import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../infra/app';
import { formatProfile, profileOf, type StageProfile } from '../../infra/stage-profile';
import { formatSummary, summarizeTemplate } from '../../infra/summary';
import { buildTestApp } from '../support/app';
import { shippedToolNames } from '../support/tools';

describe('Function: summarizeTemplate', () => {
  it('reports the agent, its tools with operations, guardrail, knowledge base and chat API of the dev stack', () => {
    // Prepare
    const { template, stack } = buildTestApp('dev');
    // Act
    const summary = summarizeTemplate(stack.stackName, template.toJSON());
    const text = formatSummary(summary, new Map([['kass-report', 900 * 1024]]));
    // Assess
    expect(summary.agent?.model).toBe('us.anthropic.claude-sonnet-4-5-20250929-v1:0');
    expect(summary.agent?.actionGroups.filter((g) => g.executor === 'lambda').map((g) => g.name)).toEqual(
      shippedToolNames(),
    );
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
    expect(text).toContain(
      'Knowledge: embeddings amazon.titan-embed-text-v2:0 (1024 dimensions); S3 Vectors index',
    );
  });
});

/** What makes stages differ, read from their templates: dev and prod must not look alike. */
describe('Function: profileOf', () => {
  let profiles: Record<'dev' | 'prod', StageProfile>;
  beforeAll(() => {
    profiles = {
      dev: profileOf(buildTestApp('dev').template.toJSON()),
      prod: profileOf(buildTestApp('prod').template.toJSON()),
    };
  });

  it('tells dev and prod apart: memory, standby replicas, Cognito, WAF, the web page and what is kept', () => {
    const { dev, prod } = profiles;
    expect(dev.engine).toBe('classic');
    expect(dev.memory).toBe('off');
    expect(prod.memory).toBe('session summaries, kept 30 days, last 20 sessions');
    expect(dev.knowledge).toEqual([
      {
        embeddings: 'amazon.titan-embed-text-v2:0 (1024 dimensions)',
        store: 'OpenSearch Serverless collection kass-dev-docs, standby replicas off',
        chunking: 'fixed-size 512 tokens, 20 % overlap',
      },
    ]);
    expect(prod.knowledge[0]?.store).toBe(
      'OpenSearch Serverless collection kass-prod-docs, standby replicas on',
    );
    expect(dev.apiAccess).toBe('1 API key(s); Cognito off; WAF off');
    expect(prod.apiAccess).toMatch(/^1 API key\(s\); Cognito user-pool sign-in on; WAF on \(RatePerIp, /);
    expect(dev.webPage).toBe('not hosted');
    expect(prod.webPage).toBe('hosted on CloudFront (output WebUrl)');
    expect(dev.documentsBucket).toMatch(
      /^Documents \(prefixes documents\/\), versioned, encrypted AES256, access logs/,
    );
    expect(dev.documentsBucket).toMatch(/deleted with the stack \(when empty\)$/);
    expect(prod.documentsBucket).toMatch(/kept when the stack is deleted$/);
    expect(dev.dataRetention).toMatch(
      /^cdk destroy keeps 0\/\d+ tables \(0 deletion-protected\) and 0\/2 buckets; logs kept 14/,
    );
    expect(prod.dataRetention).toMatch(
      /^cdk destroy keeps (\d+)\/\1 tables \(\1 deletion-protected\) and (\d+)\/\2 buckets; logs kept 90 days$/,
    );
  });

  it("lists the outputs the kass CLI reads, without CDK's hash-suffixed ones", () => {
    const { dev, prod } = profiles;
    for (const name of ['AgentId', 'AgentAliasId', 'KnowledgeBaseId', 'DataSourceId', 'DocumentsBucketName'])
      expect(dev.outputs).toContain(name);
    expect(prod.outputs).toEqual(expect.arrayContaining(['UserPoolId', 'UserPoolClientId', 'WebUrl']));
    expect(dev.outputs).not.toContain('UserPoolId');
    expect(dev.outputs.filter((o) => /[0-9A-F]{8}$/.test(o))).toEqual([]);
  });

  it('reports AgentCore memory and an Aurora store with its pause', () => {
    const { template } = buildTestApp('prod', {
      config: { agent: { engine: 'agentcore' }, knowledgeBase: { vectorStore: 'aurora-pgvector' } },
    });
    const profile = profileOf(template.toJSON());
    expect(profile.engine).toBe('agentcore');
    expect(profile.memory).toBe('AgentCore summaries, events kept 30 days');
    expect(profile.knowledge[0]?.store).toBe(
      'Aurora PostgreSQL Serverless v2 (pgvector), 0.5-2 ACU, never pauses',
    );
  });

  it('prints one line per concern and wraps the outputs', () => {
    const lines = formatProfile(profiles.prod);
    expect(lines[0]).toBe(
      '  Engine: classic (Bedrock Agent; InvokeAgent on the stage alias); memory session summaries, kept 30 days, last 20 sessions',
    );
    const outputs = lines.slice(lines.findIndex((l) => l.startsWith('  Outputs (what kass reads):')));
    for (const line of outputs) expect(line.length).toBeLessThanOrEqual(110);
    expect(outputs.join(' ').replace(/\s+/g, ' ')).toContain('AgentId, AgentAliasId,');
  });
});
