import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DEV_KNOWLEDGE_BASE, KnowledgeBaseConfigSchema } from '../../infra/config/knowledge-config';
import { DEFAULT_PARSING_PROMPT } from '../../infra/config/parsing';
import { DocumentsBucket } from '../../infra/constructs/documents-bucket';
import { KnowledgeBase } from '../../infra/constructs/knowledge-base';
import { testApp, testStack } from '../support/cdk';

type Statement = { Sid?: string; Action: string | string[]; Resource: unknown };

function build(parsing: unknown, inferenceGeo: 'us' | 'eu' = 'us') {
  const app = testApp();
  const stack = testStack(app);
  const docs = new DocumentsBucket(stack, 'Docs', { retainData: false });
  const config = KnowledgeBaseConfigSchema.parse({ ...DEV_KNOWLEDGE_BASE, parsing });
  const kb = new KnowledgeBase(stack, 'Kb', {
    stage: 'dev',
    config,
    documentsBucket: docs.bucket,
    inferenceGeo,
  });
  const json = Template.fromStack(stack).toJSON() as {
    Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
  };
  const resources = Object.values(json.Resources);
  const dataSource = resources.find((r) => r.Type === 'AWS::Bedrock::DataSource')?.Properties ?? {};
  const role = json.Resources[stack.getLogicalId(kb.role.node.defaultChild as never)]?.Properties;
  const statements = ((role?.Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[]).flatMap(
    (p) => p.PolicyDocument.Statement,
  );
  return { app, dataSource, statements };
}

const arn = (rest: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, rest]] });

describe('Knowledge base parsing', () => {
  it('leaves the default parser unconfigured and the role without parsing grants', () => {
    const { dataSource, statements } = build('default');
    expect(dataSource.VectorIngestionConfiguration).not.toHaveProperty('ParsingConfiguration');
    expect(statements.map((s) => s.Sid)).not.toContain('ParseWithModel');
  });

  it('parses with the configured model through the stage’s profile, with the prompt, and may invoke exactly it', () => {
    // Act
    const { dataSource, statements } = build(
      { strategy: 'foundation-model', model: 'claude-haiku-4-5' },
      'eu',
    );
    // Assess
    // The alpha builds the profile ARN from the deploy-time region and account.
    const profile = {
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':bedrock:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          ':inference-profile/eu.anthropic.claude-haiku-4-5-20251001-v1:0',
        ],
      ],
    };
    expect(dataSource.VectorIngestionConfiguration).toEqual({
      ChunkingConfiguration: {
        ChunkingStrategy: 'FIXED_SIZE',
        FixedSizeChunkingConfiguration: { MaxTokens: 512, OverlapPercentage: 20 },
      },
      ParsingConfiguration: {
        ParsingStrategy: 'BEDROCK_FOUNDATION_MODEL',
        BedrockFoundationModelConfiguration: {
          ModelArn: profile,
          ParsingPrompt: { ParsingPromptText: DEFAULT_PARSING_PROMPT },
        },
      },
    });
    expect(statements.find((s) => s.Sid === 'ParseWithModel')).toEqual({
      Sid: 'ParseWithModel',
      Effect: 'Allow',
      Action: 'bedrock:InvokeModel',
      Resource: [profile, arn(':bedrock:*::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0')],
    });
  });

  it('parses with Data Automation and may start and poll only Bedrock’s RAG project in this account', () => {
    const { dataSource, statements } = build('data-automation');
    expect(dataSource.VectorIngestionConfiguration).toMatchObject({
      ParsingConfiguration: { ParsingStrategy: 'BEDROCK_DATA_AUTOMATION' },
    });
    expect(statements.filter((s) => s.Sid?.startsWith('Pars'))).toEqual([
      {
        Sid: 'ParseWithDataAutomation',
        Effect: 'Allow',
        Action: 'bedrock:InvokeDataAutomationAsync',
        Resource: [
          arn(':bedrock:us-east-1:aws:data-automation-project/public-rag-default'),
          arn(':bedrock:*:123456789012:data-automation-profile/*'),
        ],
      },
      {
        Sid: 'ParsingStatus',
        Effect: 'Allow',
        Action: 'bedrock:GetDataAutomationStatus',
        Resource: arn(':bedrock:*:123456789012:data-automation-invocation/*'),
      },
    ]);
  });

  it.each(['foundation-model', 'data-automation'])(
    'reports no unacknowledged cdk-nag finding with %s parsing, and each acknowledgement still fires',
    (parsing) => {
      const { app } = build(parsing);
      expect(new AwsSolutionsChecks(app, { verbose: true }).validateScope(app).violations).toEqual([]);
      const raw = new AwsSolutionsChecks(app);
      Object.assign(raw, { isAcknowledged: () => false });
      const fired = raw.validateScope(app).violations.map((v) => v.ruleName);
      expect(fired.length).toBeGreaterThanOrEqual(parsing === 'data-automation' ? 3 : 2);
    },
  );
});
