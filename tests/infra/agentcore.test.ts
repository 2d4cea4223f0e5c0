import * as fs from 'node:fs';
import * as path from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseSchemaSource } from '../../action-groups/kit/openapi/document';
import { toGatewayTools } from '../../action-groups/kit/openapi/gateway-tools';
import { buildApp } from '../../infra/app';
import { ConfigError } from '../../infra/config/config-error';
import { loadStageConfig } from '../../infra/config/load-config';
import { shippedOperations, shippedToolNames } from '../support/tools';

const REPO = path.resolve(__dirname, '../..');

/** The whole app with config overrides (as `-c kass:config='…'` gives them), bundling skipped. */
function build(stage: string, overrides: Record<string, unknown>) {
  const built = buildApp({
    stage,
    context: { 'aws:cdk:bundling-stacks': [], 'kass:config': JSON.stringify(overrides) },
    nag: false,
  });
  return { ...built, template: Template.fromStack(built.stack) };
}

type Resource = { Type: string; Properties: Record<string, unknown> };
const resourcesOf = (template: Template) => template.toJSON().Resources as Record<string, Resource>;
const ofType = (template: Template, type: string) =>
  Object.entries(resourcesOf(template)).filter(([, r]) => r.Type === type);

const AGENTCORE = { agent: { engine: 'agentcore' } };

describe('Engine: agentcore (synth)', () => {
  const { template, stack } = build('dev', AGENTCORE);
  const resources = resourcesOf(template);
  const instruction = fs.readFileSync(path.join(REPO, 'infra/config/agent-instruction.md'), 'utf8').trim();

  it('has no Bedrock agent, alias or action group, and no Cognito pool for the gateway', () => {
    expect(ofType(template, 'AWS::Bedrock::Agent')).toEqual([]);
    expect(ofType(template, 'AWS::Bedrock::AgentAlias')).toEqual([]);
    expect(ofType(template, 'AWS::Cognito::UserPool')).toEqual([]);
  });

  it('has one gateway with IAM inbound auth and MCP without semantic search', () => {
    template.resourceCountIs('AWS::BedrockAgentCore::Gateway', 1);
    template.hasResourceProperties('AWS::BedrockAgentCore::Gateway', {
      Name: 'kass-dev',
      AuthorizerType: 'AWS_IAM',
      ProtocolType: 'MCP',
      ProtocolConfiguration: { Mcp: Match.not(Match.objectLike({ SearchType: Match.anyValue() })) },
    });
  });

  it('has one Lambda target per tool function plus the knowledge target, each allow-listing the baggage header', () => {
    // Prepare
    const targets = ofType(template, 'AWS::BedrockAgentCore::GatewayTarget').map(([, r]) => r.Properties);
    // Assess
    expect(targets.map((t) => t.Name).sort()).toEqual([...shippedToolNames(), 'kb'].sort());
    for (const t of targets) {
      expect(t.Name).toMatch(/^([0-9a-zA-Z][-]?){1,100}$/);
      expect(t.MetadataConfiguration).toEqual({ AllowedRequestHeaders: ['baggage'] });
      expect(t.CredentialProviderConfigurations).toEqual([{ CredentialProviderType: 'GATEWAY_IAM_ROLE' }]);
    }
  });

  it('serves each read operation with the schema generated from schemas/, and no write operation', () => {
    const targets = Object.fromEntries(
      ofType(template, 'AWS::BedrockAgentCore::GatewayTarget').map(([, r]) => [
        r.Properties.Name as string,
        r.Properties,
      ]),
    );
    for (const group of shippedToolNames()) {
      const file = `schemas/${group}.yaml`;
      const conversion = toGatewayTools(
        parseSchemaSource(fs.readFileSync(path.join(REPO, file), 'utf8'), file),
      );
      const reads = conversion.tools.filter((_, i) => !conversion.operations[i]?.requireConfirmation);
      const tools = (
        (targets[group]?.TargetConfiguration ?? {}) as {
          Mcp: {
            Lambda: {
              ToolSchema: {
                InlinePayload: { Name: string; InputSchema: { Properties: Record<string, unknown> } }[];
              };
            };
          };
        }
      ).Mcp.Lambda.ToolSchema.InlinePayload;
      expect(tools.map((t) => t.Name)).toEqual(reads.map((t) => t.name));
      tools.forEach((t, i) => {
        expect(Object.keys(t.InputSchema.Properties ?? {})).toEqual(
          Object.keys(reads[i]?.inputSchema.properties ?? {}),
        );
      });
    }
    const names = (group: string) =>
      (
        (targets[group]?.TargetConfiguration ?? {}) as {
          Mcp?: { Lambda?: { ToolSchema?: { InlinePayload?: { Name: string }[] } } };
        }
      ).Mcp?.Lambda?.ToolSchema?.InlinePayload?.map((t) => t.Name);
    expect(names('report')).not.toContain('createTicket');
    expect(names('code-review')).toEqual(['reviewMergeRequest']);
  });

  it('has a harness with the classic model profile, the instruction, the gateway as its only tool set, and bounds', () => {
    const classic = build('dev', {});
    const classicModel = ofType(classic.template, 'AWS::Bedrock::Agent')[0]?.[1].Properties.FoundationModel;
    template.hasResourceProperties('AWS::BedrockAgentCore::Harness', {
      HarnessName: 'kass_dev',
      Model: {
        BedrockModelConfig: { ModelId: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', MaxTokens: 4096 },
      },
      SystemPrompt: [{ Text: instruction }],
      AllowedTools: ['@kass', 'code-review___postReviewComment', 'report___createTicket'],
      MaxIterations: 12,
      TimeoutSeconds: 300,
      Memory: { Disabled: {} },
      Tools: Match.arrayWith([
        {
          Type: 'agentcore_gateway',
          Name: 'kass',
          Config: { AgentCoreGateway: { GatewayArn: Match.anyValue(), OutboundAuth: { AwsIam: {} } } },
        },
        Match.objectLike({ Type: 'inline_function', Name: 'report___createTicket' }),
      ]),
    });
    expect(JSON.stringify(classicModel)).toContain('us.anthropic.claude-sonnet-4-5-20250929-v1:0');
    const harness = ofType(template, 'AWS::BedrockAgentCore::Harness')[0]?.[1].Properties ?? {};
    expect((harness.AllowedTools as string[]).some((t) => /shell|file|builtin|\*/.test(t))).toBe(false);
    expect((harness.Tools as { Type: string }[]).map((t) => t.Type).sort()).toEqual([
      'agentcore_gateway',
      'inline_function',
      'inline_function',
    ]);
  });

  it('has the guardrail beforeInvocation hook on a Lambda that applies the numbered guardrail version', () => {
    // Prepare
    const harness = ofType(template, 'AWS::BedrockAgentCore::Harness')[0]?.[1].Properties ?? {};
    const hook = (
      harness.Hooks as {
        BeforeInvocation: {
          Name: string;
          Target: { Lambda: { Arn: { 'Fn::GetAtt': [string] }; FailureMode?: string } };
        };
      }[]
    )[0];
    const fnId = hook?.BeforeInvocation.Target.Lambda.Arn['Fn::GetAtt'][0] ?? '';
    const fn = resources[fnId]?.Properties as { Environment: { Variables: Record<string, unknown> } };
    // Assess
    expect(hook?.BeforeInvocation.Name).toBe('guardrail-input');
    expect(hook?.BeforeInvocation.Target.Lambda.FailureMode).not.toBe('allow');
    expect(fn.Environment.Variables.GUARDRAIL_VERSION).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/Version/), 'Version'],
    });
    expect(
      Object.keys(resources).filter((id) => resources[id]?.Type === 'AWS::Bedrock::GuardrailVersion'),
    ).toHaveLength(1);
  });

  it('has one endpoint for the stage that follows the latest harness version', () => {
    template.resourceCountIs('AWS::BedrockAgentCore::HarnessEndpoint', 1);
    template.hasResourceProperties('AWS::BedrockAgentCore::HarnessEndpoint', {
      EndpointName: 'kass_dev',
      HarnessId: { 'Fn::GetAtt': [Match.anyValue(), 'HarnessId'] },
      TargetVersion: { 'Fn::GetAtt': [Match.anyValue(), 'Version'] },
    });
  });

  it('publishes the outputs kass and apps read', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs.AgentEngine?.Value).toBe('agentcore');
    for (const key of ['HarnessArn', 'HarnessEndpointName', 'GatewayArn', 'GatewayId', 'ClientTools']) {
      expect(outputs[key]).toBeDefined();
    }
    expect(outputs.AgentId).toBeUndefined();
  });

  it('gives the harness role no wildcard action and only its own model, gateway and hook', () => {
    const policies = ofType(template, 'AWS::IAM::Policy').filter(([id]) => id.startsWith('Harness'));
    const statements = policies.flatMap(
      ([, p]) => (p.Properties.PolicyDocument as { Statement: { Action: string | string[] }[] }).Statement,
    );
    const actions = statements.flatMap((s) => [s.Action].flat());
    expect(actions.filter((a) => a.includes('*'))).toEqual([]);
    expect(new Set(actions)).toEqual(
      new Set([
        'bedrock:InvokeModel',
        'bedrock:InvokeModelWithResponseStream',
        'bedrock-agentcore:InvokeGateway',
        'lambda:InvokeFunction',
        'logs:CreateLogGroup',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'logs:DescribeLogStreams',
        'xray:PutTraceSegments',
        'xray:PutTelemetryRecords',
        'cloudwatch:PutMetricData',
        'bedrock:ApplyGuardrail',
      ]),
    );
  });

  it('lets the knowledge tool Retrieve from our knowledge base only', () => {
    const policy = ofType(template, 'AWS::IAM::Policy').find(([id]) =>
      id.startsWith('ToolGatewayKnowledgeTool'),
    )?.[1];
    const statements = (
      (policy?.Properties.PolicyDocument ?? { Statement: [] }) as {
        Statement: { Action: unknown; Resource: unknown }[];
      }
    ).Statement;
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: 'bedrock:Retrieve',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^Knowledge/), 'KnowledgeBaseArn'] },
      }),
    );
  });

  it('lets the chat functions sign identities and the tools only verify them; no function does both', () => {
    const macActions = new Map<string, string[]>();
    for (const [id, p] of ofType(template, 'AWS::IAM::Policy')) {
      for (const s of (p.Properties.PolicyDocument as { Statement: { Action: string | string[] }[] })
        .Statement) {
        for (const a of [s.Action].flat())
          if (a.endsWith('Mac')) macActions.set(id, [...(macActions.get(id) ?? []), a]);
      }
    }
    const signers = [...macActions].filter(([, a]) => a.includes('kms:GenerateMac')).map(([id]) => id);
    const verifiers = [...macActions].filter(([, a]) => a.includes('kms:VerifyMac')).map(([id]) => id);
    expect(signers.sort()).toEqual([
      expect.stringMatching(/^ChatFunctionsChatFunction/),
      expect.stringMatching(/^ChatWebSocketTurnFunction/),
    ]);
    expect(verifiers.map((id) => id.replace(/Role.*$/, '')).sort()).toEqual(
      shippedToolNames().map((name) => `Tools${name.replace(/[^A-Za-z0-9]/g, '')}`),
    );
    expect(signers.filter((s) => verifiers.includes(s))).toEqual([]);
    template.hasResourceProperties('AWS::KMS::Key', { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
  });

  it('gives the chat functions the harness engine, not the agent', () => {
    const chat = ofType(template, 'AWS::Lambda::Function').find(([id]) =>
      id.startsWith('ChatFunctionsChatFunction'),
    )?.[1];
    const env = (
      (chat?.Properties.Environment ?? { Variables: {} }) as { Variables: Record<string, unknown> }
    ).Variables;
    expect(env).toMatchObject({
      AGENT_ENGINE: 'agentcore',
      HARNESS_QUALIFIER: 'kass_dev',
      AGENT_MEMORY: 'off',
    });
    expect(env.AGENT_ID).toBeUndefined();
    expect(env.IDENTITY_KEY_ARN).toBeDefined();
    const clientTools = JSON.stringify(env.CLIENT_TOOLS);
    expect(clientTools).toContain('readOnly');
    expect(clientTools).toContain('report');
    expect(stack.agentCore?.gateway.clientSideTools.map((t) => t.name)).toEqual([
      'code-review___postReviewComment',
      'report___createTicket',
    ]);
  });

  it('refuses tool calls without a verified caller even where the stage lets Classic run them as operator', () => {
    // dev sets tools.unidentifiedCalls=operator for the Classic console test chat; on AgentCore a call without
    // identity is a turn whose signed identity did not arrive, so the tools must refuse it.
    const report = ofType(template, 'AWS::Lambda::Function').find(
      ([, r]) =>
        (r.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables
          ?.POWERTOOLS_SERVICE_NAME === 'kass-report',
    )?.[1];
    const variables =
      (report?.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ??
      {};
    expect(loadStageConfig('dev', AGENTCORE).tools.unidentifiedCalls).toBe('operator');
    expect(variables.UNIDENTIFIED_TOOL_CALLS).toBe('refuse');
  });

  it('alarms on errors and throttles of the knowledge tool and the guardrail hook', () => {
    const alarms = ofType(template, 'AWS::CloudWatch::Alarm').map(([, r]) =>
      String(r.Properties.AlarmDescription),
    );
    for (const name of ['KnowledgeTool', 'GuardrailHook']) {
      expect(alarms).toEqual(
        expect.arrayContaining([
          `KASS ${name}: errors in the last 5 minutes`,
          `KASS ${name}: throttles in the last 5 minutes`,
        ]),
      );
    }
  });

  it.each(['dev', 'prod'])('has no unacknowledged cdk-nag finding (%s)', (stage) => {
    const { app } = buildApp({
      stage,
      context: { 'aws:cdk:bundling-stacks': [], 'kass:config': AGENTCORE },
      nag: false,
    });
    const report = new AwsSolutionsChecks(app, { verbose: true }).validateScope(app);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });
});

describe('Engine: agentcore options', () => {
  it('prod keeps memory: an AgentCore memory the harness references, read and written by its role only', () => {
    const { template } = build('prod', AGENTCORE);
    template.resourceCountIs('AWS::BedrockAgentCore::Memory', 1);
    template.hasResourceProperties('AWS::BedrockAgentCore::Harness', {
      Memory: { AgentCoreMemoryConfiguration: { Arn: { 'Fn::GetAtt': [Match.anyValue(), 'MemoryArn'] } } },
      Environment: {
        AgentCoreRuntimeEnvironment: { LifecycleConfiguration: { IdleRuntimeSessionTimeout: 1800 } },
      },
    });
  });

  it('clientSideTools all: every operation is an inline function; the gateway keeps only the knowledge tool', () => {
    const { template } = build('dev', {
      agent: { engine: 'agentcore', agentcore: { clientSideTools: 'all' } },
    });
    const targets = ofType(template, 'AWS::BedrockAgentCore::GatewayTarget').map(
      ([, r]) => r.Properties.Name,
    );
    expect(targets).toEqual(['kb']);
    const harness = ofType(template, 'AWS::BedrockAgentCore::Harness')[0]?.[1].Properties ?? {};
    // The gateway tool set (knowledge) plus one inline function per operation of every shipped schema.
    const operations = Object.values(shippedOperations()).flat();
    expect((harness.Tools as unknown[]).length).toBe(1 + operations.length);
  });

  it.each([
    [{ agent: { engine: 'bedrock' } }, 'agent.engine: must be one of classic, agentcore'],
    [
      { agent: { engine: 'agentcore', agentcore: { maxIterations: 76 } } },
      'agent.agentcore.maxIterations: must be at most 75',
    ],
    [
      { agent: { engine: 'agentcore', agentcore: { timeoutSeconds: 901 } } },
      'agent.agentcore.timeoutSeconds: must be at most 900',
    ],
    [
      { agent: { engine: 'agentcore', agentcore: { clientSideTools: 'none' } } },
      'agent.agentcore.clientSideTools',
    ],
  ])('refuses bad settings with the key and the reason: %j', (overrides, message) => {
    expect(() => loadStageConfig('dev', overrides)).toThrow(ConfigError);
    expect(() => loadStageConfig('dev', overrides)).toThrow(message);
  });

  it('accepts the limits: 75 iterations, 900 seconds', () => {
    const config = loadStageConfig('dev', {
      agent: { engine: 'agentcore', agentcore: { maxIterations: 75, timeoutSeconds: 900 } },
    });
    expect(config.agent.agentcore).toMatchObject({ maxIterations: 75, timeoutSeconds: 900 });
    expect(loadStageConfig('dev').agent.engine).toBe('classic');
  });
});

describe('Engine: classic (default) is unchanged', () => {
  const { template } = build('dev', {});

  it('has the Bedrock agent and no AgentCore resource, identity key or engine output', () => {
    template.resourceCountIs('AWS::Bedrock::Agent', 1);
    const types = Object.values(resourcesOf(template)).map((r) => r.Type);
    expect(types.filter((t) => t.startsWith('AWS::BedrockAgentCore::'))).toEqual([]);
    // The alarm topic has a KMS key of its own; no key is an HMAC identity key.
    const keySpecs = Object.values(resourcesOf(template))
      .filter((r) => r.Type === 'AWS::KMS::Key')
      .map((r) => r.Properties.KeySpec ?? 'SYMMETRIC_DEFAULT');
    expect(keySpecs.filter((spec) => String(spec).startsWith('HMAC'))).toEqual([]);
    const outputs = template.toJSON().Outputs as Record<string, unknown>;
    expect(outputs.AgentEngine).toBeUndefined();
    expect(outputs.AgentId).toBeDefined();
  });

  it('gives no function the identity key or the harness', () => {
    for (const [, fn] of ofType(template, 'AWS::Lambda::Function')) {
      const env = JSON.stringify(fn.Properties.Environment ?? {});
      expect(env).not.toMatch(/IDENTITY_KEY_ARN|HARNESS_ARN|AGENT_ENGINE/);
    }
  });
});
