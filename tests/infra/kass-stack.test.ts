import { Match, type Template } from 'aws-cdk-lib/assertions';
import { buildTestApp } from '../support/app';
import { shippedToolNames } from '../support/tools';

/** The composed stack: what a user deploying dev gets, checked resource by resource (no snapshot). */
describe('Class: KassStack', () => {
  let template: Template;
  beforeAll(() => {
    ({ template } = buildTestApp('dev'));
  });

  it('has one agent with every shipped tool (schemas/*.yaml) as a Lambda-backed action group with an inline schema', () => {
    template.resourceCountIs('AWS::Bedrock::Agent', 1);
    const agent = Object.values(template.findResources('AWS::Bedrock::Agent'))[0];
    const groups = (agent?.Properties.ActionGroups ?? []) as Record<string, Record<string, unknown>>[];
    const tools = groups.filter((g) => g.ActionGroupExecutor);
    expect(tools.map((g) => g.ActionGroupName).sort()).toEqual(shippedToolNames());
    for (const g of tools) {
      expect(g.ActionGroupExecutor).toEqual({ Lambda: { 'Fn::GetAtt': [expect.any(String), 'Arn'] } });
      expect(g.ApiSchema?.Payload).toMatch(/^openapi: 3\.0\.0/m);
    }
  });

  it('attaches the numbered guardrail version to the agent', () => {
    template.resourceCountIs('AWS::Bedrock::Guardrail', 1);
    template.resourceCountIs('AWS::Bedrock::GuardrailVersion', 1);
    const versionId = Object.keys(template.findResources('AWS::Bedrock::GuardrailVersion'))[0];
    template.hasResourceProperties('AWS::Bedrock::Agent', {
      GuardrailConfiguration: {
        GuardrailIdentifier: { 'Fn::GetAtt': [Match.anyValue(), 'GuardrailId'] },
        GuardrailVersion: { 'Fn::GetAtt': [versionId, 'Version'] },
      },
    });
  });

  it('names the guardrail after the stage so dev and prod can share an account', () => {
    template.hasResourceProperties('AWS::Bedrock::Guardrail', { Name: 'kass-guardrail-dev' });
  });

  it('has a stage alias for apps', () => {
    template.resourceCountIs('AWS::Bedrock::AgentAlias', 1);
    template.hasResourceProperties('AWS::Bedrock::AgentAlias', { AgentAliasName: 'dev' });
  });

  it('gives every tool Lambda its own role and the environment its handler reads', () => {
    const fns = template.findResources('AWS::Lambda::Function', {
      Properties: { Description: Match.stringLikeRegexp("^KASS action group '") },
    });
    const roles = new Set(Object.values(fns).map((f) => JSON.stringify(f.Properties.Role)));
    expect(roles.size).toBe(Object.keys(fns).length);
    const env = (name: string) =>
      Object.values(fns).find(
        (f) => f.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME === `kass-${name}`,
      )?.Properties.Environment.Variables as Record<string, unknown>;
    expect(Object.keys(env('report')).sort()).toEqual(
      expect.arrayContaining(['TICKETS_TABLE_NAME', 'NOTIFICATIONS_TOPIC_ARN', 'TOOL_LOGS_TABLE_NAME']),
    );
    expect(Object.keys(env('summarize'))).toEqual(
      expect.arrayContaining(['CONVERSATIONS_TABLE_NAME', 'MODEL_ID', 'GUARDRAIL_ID', 'GUARDRAIL_VERSION']),
    );
    expect(env('summarize').MODEL_ID).toBe('us.anthropic.claude-haiku-4-5-20251001-v1:0');
    expect(Object.keys(env('code-review'))).toEqual(
      expect.arrayContaining([
        'GITLAB_BASE_URL',
        'GITLAB_TOKEN_SECRET_ARN',
        'GITLAB_PROJECT_ALLOWLIST',
        'MODEL_ID',
      ]),
    );
    // The token is referenced by ARN only; no value that looks like a secret is in any environment.
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
      const values = Object.values((fn.Properties.Environment?.Variables ?? {}) as Record<string, unknown>);
      for (const value of values.filter((v): v is string => typeof v === 'string')) {
        expect(value).not.toMatch(/glpat-|-----BEGIN|^[A-Za-z0-9+/]{40,}={0,2}$/);
      }
    }
  });

  it('publishes the outputs the kass CLI reads', () => {
    for (const name of ['AgentId', 'AgentAliasId', 'GuardrailId', 'GuardrailVersion', 'TicketsTableName']) {
      template.hasOutput(name, Match.anyValue());
    }
  });

  it('grants no IAM action with a bare "*"', () => {
    for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
      for (const statement of policy.Properties.PolicyDocument.Statement as { Action: string | string[] }[]) {
        const actions = ([] as string[]).concat(statement.Action);
        for (const action of actions) expect(action === '*' || /^[a-z0-9-]+:\*$/.test(action)).toBe(false);
      }
    }
  });
});

describe('Class: KassStack (prod)', () => {
  let template: Template;
  beforeAll(() => {
    ({ template } = buildTestApp('prod'));
  });

  it('caps the concurrency of the tools that call models', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'kass-summarize' }) },
      ReservedConcurrentExecutions: 10,
      Timeout: 180,
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'kass-code-review' }) },
      ReservedConcurrentExecutions: 5,
    });
  });

  it('starts the GitLab secret as an empty token, so the tool says "not configured" until it is set', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'kass/prod/gitlab-token',
      GenerateSecretString: { SecretStringTemplate: '{"token":""}', GenerateStringKey: 'placeholder' },
    });
  });

  it('retains data and protects tables in prod', () => {
    for (const t of Object.values(template.findResources('AWS::DynamoDB::Table'))) {
      expect(t.DeletionPolicy).toBe('Retain');
    }
  });
});

describe('Class: KassStack (knowledge base association)', () => {
  let template: Template;
  beforeAll(() => {
    ({ template } = buildTestApp('dev'));
  });

  it('associates the knowledge base with the agent and tells the model when to use it', () => {
    const kbId = Object.keys(template.findResources('AWS::Bedrock::KnowledgeBase'))[0];
    template.hasResourceProperties('AWS::Bedrock::Agent', {
      KnowledgeBases: [
        {
          KnowledgeBaseId: { 'Fn::GetAtt': [kbId, 'KnowledgeBaseId'] },
          KnowledgeBaseState: 'ENABLED',
          Description: Match.stringLikeRegexp('Use it for questions about internal systems'),
        },
      ],
    });
  });

  it('lets the agent role retrieve from that knowledge base only', () => {
    const kbId = Object.keys(template.findResources('AWS::Bedrock::KnowledgeBase'))[0];
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Action: 'bedrock:Retrieve',
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': [kbId, 'KnowledgeBaseArn'] },
          },
        ]),
      },
      Roles: [{ Ref: Match.stringLikeRegexp('^AgentRole[0-9A-F]{8}$') }],
    });
  });
});
