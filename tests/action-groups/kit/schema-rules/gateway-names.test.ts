import { gatewayNames } from '../../../../action-groups/kit/schema-rules/gateway-names';
import { runRule, ticketsOperation, VALID, yaml } from './helpers';

describe('Rule: gateway-names', () => {
  it('accepts a target name of letters, digits and single dashes, and tool names of exactly 64 characters', () => {
    // 'code-review' + '___' + 50 characters = 64
    const operationId = `op${'x'.repeat(48)}`;
    expect(runRule(gatewayNames, VALID)).toEqual([]);
    expect(
      runRule(gatewayNames, ticketsOperation(yaml`responses: {}`, { operationId }), 'code-review'),
    ).toEqual([]);
  });

  it('reports a tool name one character over 64 at its operationId', () => {
    // Act
    const findings = runRule(
      gatewayNames,
      ticketsOperation(yaml`responses: {}`, { operationId: `op${'x'.repeat(49)}` }),
      'code-review',
    );
    // Assess
    expect(findings.map((f) => [f.rule, f.line, f.pointer])).toEqual([
      ['gateway-names', 5, '/paths/~1tickets/get/operationId'],
    ]);
    expect(findings[0]?.message).toContain('is 65 characters; the model accepts at most 64');
  });

  it.each([
    ['an underscore', 'code_review'],
    ['a doubled dash', 'code--review'],
    ['a space', 'code review'],
    ['101 characters', 'a'.repeat(101)],
  ])('reports a target name with %s once, at line 1, with a name that would work', (_, group) => {
    // Act
    const findings = runRule(gatewayNames, VALID, group);
    // Assess
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ rule: 'gateway-names', line: 1, pointer: '' });
    expect(findings[0]?.message).toMatch(/cannot be an AgentCore gateway target name/);
  });

  it('accepts a target name of 100 characters (the tool names are then too long, which it reports)', () => {
    const findings = runRule(gatewayNames, VALID, 'a'.repeat(100));
    expect(findings.map((f) => f.pointer)).toEqual(['/paths/~1tickets~1{ticketId}/get/operationId']);
  });
});
