import * as path from 'node:path';
import * as bedrock from '@aws-cdk/aws-bedrock-alpha';
import { CfnResource } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { parseSchemaSource } from '../../action-groups/kit/openapi/document';
import { type Operation, readOperations } from '../../action-groups/kit/openapi/operations';
import { loadGuardrailPolicy } from '../../infra/config/guardrail-policy';
import { KassAgent } from '../../infra/constructs/agent';
import { KassGuardrail } from '../../infra/constructs/guardrail';
import { Tools } from '../../infra/constructs/tools';
import { fixtureTool, testApp, testConfig, testStack } from '../support/cdk';

const POLICY = loadGuardrailPolicy(path.resolve(__dirname, '../../guardrails/policy.yaml'));

const INSTRUCTION = 'You are a test agent. Use the tickets tool to create and list tickets for users.';

function build(
  options: {
    instruction?: string;
    model?: string;
    schemaFile?: string;
    memory?: boolean;
    /** Construct id of the knowledge base (a new one is a new logical id: CloudFormation replaces it). */
    knowledgeBaseId?: string;
    /** Construct id of the tools (a new one replaces every tool function). */
    toolsId?: string;
  } = {},
) {
  const stack = testStack(testApp());
  const config = testConfig({
    agent: {
      ...(options.model ? { model: options.model } : {}),
      memory: { enabled: options.memory ?? false },
    },
  });
  const tool = fixtureTool('tickets', options.schemaFile);
  const toolLogs = new dynamodb.Table(stack, 'ToolLogs', {
    partitionKey: { name: 'session_id', type: dynamodb.AttributeType.STRING },
  });
  const tools = new Tools(stack, options.toolsId ?? 'Tools', { tools: [tool], config, toolLogs });
  // The KASS guardrail: its version's logical id follows the policy only (the alpha's own moves with the tree).
  const { guardrail } = new KassGuardrail(stack, 'Guardrail', { policy: POLICY });
  const kb = new CfnResource(stack, options.knowledgeBaseId ?? 'KnowledgeBase', {
    type: 'AWS::Bedrock::KnowledgeBase',
    properties: { Name: 'kass-dev-docs' },
  });
  const agent = new KassAgent(stack, 'Agent', {
    stage: 'dev',
    config: config.agent,
    instruction: options.instruction ?? INSTRUCTION,
    tools: [{ tool, function: tools.functionOf('tickets') }],
    guardrail,
    knowledgeBase: {
      id: kb.getAtt('KnowledgeBaseId').toString(),
      arn: kb.getAtt('KnowledgeBaseArn').toString(),
      description: 'Test documents. Use them for questions about internal systems.',
    },
  });
  const hash = stack.resolve(agent.configurationHash) as string;
  return { stack, agent, tool, hash, template: Template.fromStack(stack) };
}

describe('Class: KassAgent', () => {
  let built: ReturnType<typeof build>;
  beforeAll(() => {
    built = build();
  });

  it('uses the configured cross-region inference profile, prepared on deploy', () => {
    const agent = Object.values(built.template.findResources('AWS::Bedrock::Agent'))[0];
    expect(JSON.stringify(agent?.Properties.FoundationModel)).toContain(
      ':inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0',
    );
    built.template.hasResourceProperties('AWS::Bedrock::Agent', {
      AgentName: 'kass-dev',
      AutoPrepare: true,
      IdleSessionTTLInSeconds: 600,
      Instruction: INSTRUCTION,
    });
  });

  it('declares the tool as an action group with its inline schema and Lambda executor', () => {
    // Assess
    const agents = built.template.findResources('AWS::Bedrock::Agent');
    const props = Object.values(agents)[0]?.Properties as { ActionGroups: Record<string, unknown>[] };
    const tickets = props.ActionGroups.find((g) => g.ActionGroupName === 'tickets');
    expect(tickets).toMatchObject({
      ActionGroupState: 'ENABLED',
      Description: 'Tickets for problems users report.',
      ApiSchema: { Payload: built.tool.schemaText },
      ActionGroupExecutor: {
        Lambda: { 'Fn::GetAtt': [expect.stringMatching(/^ToolsticketsFunction/), 'Arn'] },
      },
    });
  });

  it('sends the agent the schema without KASS-only extensions, with the same operations', () => {
    // Prepare: the real summarize schema carries x-kass-readOnly on its read-only POST.
    const { template, tool } = build({ schemaFile: 'schemas/summarize.yaml' });
    const props = Object.values(template.findResources('AWS::Bedrock::Agent'))[0]?.Properties as {
      ActionGroups: { ActionGroupName: string; ApiSchema?: { Payload?: string } }[];
    };

    // Act
    const payload = props.ActionGroups.find((g) => g.ActionGroupName === 'tickets')?.ApiSchema?.Payload ?? '';

    // Assess
    expect(tool.schemaText).toMatch(/^\s+x-kass-readOnly: true$/m);
    expect(payload).not.toMatch(/^\s+x-kass-/m);
    const summary = (op: Operation) => [op.method, op.path, op.operationId, op.requireConfirmation];
    expect(readOperations(parseSchemaSource(payload, 'payload.yaml').document).map(summary)).toEqual(
      tool.operations.map(summary),
    );
    expect(payload).toContain('x-requireConfirmation: DISABLED');
  });

  it('enables AMAZON.UserInput so the agent can ask for missing details', () => {
    built.template.hasResourceProperties('AWS::Bedrock::Agent', {
      ActionGroups: Match.arrayWith([Match.objectLike({ ParentActionGroupSignature: 'AMAZON.UserInput' })]),
    });
  });

  it('attaches the numbered guardrail version, not DRAFT', () => {
    built.template.hasResourceProperties('AWS::Bedrock::Agent', {
      GuardrailConfiguration: {
        GuardrailIdentifier: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Guardrail'), 'GuardrailId'] },
        GuardrailVersion: {
          'Fn::GetAtt': [Match.stringLikeRegexp('Guardrail[0-9A-F]{8}Version[0-9a-f]{16}$'), 'Version'],
        },
      },
    });
  });

  it('lets only this agent invoke the tool Lambda (SourceArn and SourceAccount)', () => {
    built.template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'bedrock.amazonaws.com',
      SourceAccount: { Ref: 'AWS::AccountId' },
      SourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Agent[0-9A-F]{8}$'), 'AgentArn'] },
    });
    const permissions = built.template.findResources('AWS::Lambda::Permission', {
      Properties: { Principal: 'bedrock.amazonaws.com' },
    });
    for (const p of Object.values(permissions)) expect(p.Properties.SourceArn).toBeDefined();
  });

  it('trusts bedrock.amazonaws.com only for this account', () => {
    built.template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'bedrock.amazonaws.com' },
            Condition: {
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              ArnLike: { 'aws:SourceArn': Match.anyValue() },
            },
          }),
        ]),
      },
    });
  });

  it('creates a stage alias whose description carries the configuration hash', () => {
    built.template.hasResourceProperties('AWS::Bedrock::AgentAlias', {
      AgentAliasName: 'dev',
      Description: `KASS dev agent, configuration ${built.hash}`,
      AgentId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Agent[0-9A-F]{8}$'), 'AgentId'] },
    });
    // No pinned version: the alias snapshots the prepared DRAFT into a new version.
    const alias = Object.values(built.template.findResources('AWS::Bedrock::AgentAlias'))[0];
    expect(alias?.Properties.RoutingConfiguration).toBeUndefined();
  });

  it.each([
    { name: 'instruction', change: { instruction: `${INSTRUCTION} Be brief.` } },
    { name: 'model', change: { model: 'claude-haiku-4-5' } },
    { name: 'schema', change: { schemaFile: 'tests/fixtures/infra/tickets-v2.yaml' } },
    {
      name: 'knowledge-base id (a replaced knowledge base)',
      change: { knowledgeBaseId: 'KnowledgeBaseGen2' },
    },
    { name: 'tool function ARN (a replaced function)', change: { toolsId: 'ToolsV2' } },
  ])('rolls the alias to a new version when the $name changes', ({ change }) => {
    // Act
    const changed = build(change);
    // Assess
    expect(changed.hash).toMatch(/^[0-9a-f]{12}$/);
    expect(changed.hash).not.toBe(built.hash);
    changed.template.hasResourceProperties('AWS::Bedrock::AgentAlias', {
      Description: `KASS dev agent, configuration ${changed.hash}`,
    });
  });

  it('keeps the same hash (no new version) when nothing the agent uses changes', () => {
    expect(build().hash).toBe(built.hash);
  });

  it('turns on session-summary memory when configured', () => {
    const { template } = build({ memory: true });
    template.hasResourceProperties('AWS::Bedrock::Agent', {
      MemoryConfiguration: { EnabledMemoryTypes: ['SESSION_SUMMARY'], StorageDays: 30 },
    });
  });

  it('warns at synth when a Legacy model is chosen', () => {
    const { stack } = build({ model: 'claude-3-5-sonnet-v2' });
    Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('Legacy model'));
  });

  it.each([
    { name: 'too short', instruction: 'Be nice.' },
    { name: 'too long', instruction: 'x'.repeat(4001) },
  ])('rejects an instruction that is $name, naming the file', ({ instruction }) => {
    expect(() => build({ instruction })).toThrow(/agent\.instructionFile .*Bedrock accepts 40-4000/);
  });
});

describe('Class: KassAgent (return of control)', () => {
  it('hands tool calls back to the caller when toolExecution is return-control', () => {
    // Prepare
    const stack = testStack(testApp());
    const config = testConfig({ agent: { toolExecution: 'return-control' } });
    const tool = fixtureTool('tickets');
    const toolLogs = new dynamodb.Table(stack, 'ToolLogs', {
      partitionKey: { name: 'session_id', type: dynamodb.AttributeType.STRING },
    });
    const tools = new Tools(stack, 'Tools', { tools: [tool], config, toolLogs });
    const guardrail = new bedrock.Guardrail(stack, 'Guardrail', { guardrailName: 'test-guardrail' });
    // Act
    new KassAgent(stack, 'Agent', {
      stage: 'local',
      config: config.agent,
      instruction: INSTRUCTION,
      tools: [{ tool, function: tools.functionOf('tickets') }],
      guardrail,
    });
    // Assess
    Template.fromStack(stack).hasResourceProperties('AWS::Bedrock::Agent', {
      ActionGroups: Match.arrayWith([
        Match.objectLike({
          ActionGroupName: 'tickets',
          ActionGroupExecutor: { CustomControl: 'RETURN_CONTROL' },
        }),
      ]),
    });
  });
});
