import { Match, Template } from 'aws-cdk-lib/assertions';
import { type ToolLambdaNeeds, toolNeeds } from '../../contracts/tool-needs';
import { Data } from '../../infra/constructs/data';
import type { DiscoveredTool } from '../../infra/constructs/tool-discovery';
import { lambdaSettingsOf, Tools } from '../../infra/constructs/tools';
import { fixtureTool, testConfig, testStack } from '../support/cdk';

describe('Class: Tools', () => {
  let template: Template;
  let tools: Tools;
  beforeAll(() => {
    const stack = testStack();
    const data = new Data(stack, 'Data', { retainData: false });
    tools = new Tools(stack, 'Tools', {
      tools: [fixtureTool('tickets'), fixtureTool('alpha')],
      config: testConfig(),
      toolLogs: data.toolLogs,
    });
    template = Template.fromStack(stack);
  });

  it('creates one Lambda per discovered tool, described by its operations', () => {
    template.resourceCountIs('AWS::Lambda::Function', 2);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: "KASS action group 'tickets' (listTickets, createTicket)",
      Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'kass-tickets' }) },
    });
  });

  it('tells every tool where to record its calls, with write-only access', () => {
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
      expect(fn.Properties.Environment.Variables.TOOL_LOGS_TABLE_NAME).toEqual({
        Ref: expect.stringMatching(/^DataToolLogs/),
      });
    }
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Action: 'dynamodb:PutItem',
            Effect: 'Allow',
            Resource: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^DataToolLogs'), 'Arn'] }],
          },
        ]),
      },
    });
  });

  it('looks up functions by tool name and names the known tools otherwise', () => {
    expect(tools.has('tickets')).toBe(true);
    expect(() => tools.functionOf('nope')).toThrow(/No tool 'nope'; discovered: tickets, alpha/);
  });
});

describe('Class: Tools (per-tool Lambda settings)', () => {
  it('applies a tool override over the defaults', () => {
    const stack = testStack();
    const data = new Data(stack, 'Data', { retainData: false });
    new Tools(stack, 'Tools', {
      tools: [fixtureTool('tickets'), fixtureTool('alpha')],
      config: testConfig({ lambda: { tools: { alpha: { timeoutSeconds: 90 } } } }),
      toolLogs: data.toolLogs,
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'kass-alpha' }) },
      Timeout: 90,
      MemorySize: 512,
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'kass-tickets' }) },
      Timeout: 30,
    });
  });
});

describe('Function: lambdaSettingsOf (what a tool needs.ts asks for)', () => {
  const needy = (lambda: ToolLambdaNeeds): DiscoveredTool => ({
    ...fixtureTool('alpha'),
    needs: toolNeeds({ lambda, variables: {} }),
  });

  it('applies the tool descriptor over the defaults, and the stage override over both', () => {
    const tool = needy({ timeoutSeconds: 120, memoryMb: 1024 });
    expect(lambdaSettingsOf(tool, testConfig())).toEqual({ memoryMb: 1024, timeoutSeconds: 120 });
    const overridden = testConfig({ lambda: { tools: { alpha: { timeoutSeconds: 90 } } } });
    expect(lambdaSettingsOf(tool, overridden)).toMatchObject({ memoryMb: 1024, timeoutSeconds: 90 });
  });

  it('reserves the tool concurrency cap only on stages that reserve caps', () => {
    const tool = needy({ reservedConcurrency: 7 });
    expect(lambdaSettingsOf(tool, testConfig()).reservedConcurrency).toBeUndefined();
    const reserving = testConfig({ lambda: { reserveToolConcurrency: true } });
    expect(lambdaSettingsOf(tool, reserving).reservedConcurrency).toBe(7);
  });

  it('fails synth naming the descriptor when it asks for what Lambda cannot give', () => {
    expect(() => lambdaSettingsOf(needy({ timeoutSeconds: 901 }), testConfig())).toThrow(
      /lambda settings in action-groups\/alpha\/needs\.ts:\n {2}- timeoutSeconds: /,
    );
  });
});
