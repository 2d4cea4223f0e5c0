import { namesPattern } from '../../../../action-groups/kit/schema-rules/names-pattern';
import {
  CREATE_TICKET,
  jsonRequestBody,
  OK_RESPONSE,
  runRule,
  ticketsOperation,
  VALID,
  yaml,
} from './helpers';

describe('Rule: names-pattern', () => {
  it('accepts a valid group name and parameter names', () => {
    expect(runRule(namesPattern, VALID, 'code-review')).toEqual([]);
  });

  it('reports an action-group (file) name that breaks the pattern, at line 1', () => {
    // Act
    const findings = runRule(namesPattern, VALID, 'code review');
    // Assess
    expect(findings).toEqual([expect.objectContaining({ rule: 'names-pattern', line: 1, pointer: '' })]);
    expect(findings[0]?.message).toContain(
      "action-group name 'code review' (the schema's file name) is invalid",
    );
    expect(findings[0]?.message).toContain('rename the file');
  });

  it('reports parameter and request-body property names that break the pattern', () => {
    // Prepare
    const text = ticketsOperation(
      yaml`
        parameters:
          - name: dry__run
            in: query
            description: Only validate.
        ${jsonRequestBody('ticket.title:\n  type: string')}
        ${OK_RESPONSE}
      `,
      CREATE_TICKET,
    );
    // Act
    const findings = runRule(namesPattern, text);
    // Assess
    expect(findings).toEqual([
      expect.objectContaining({
        rule: 'names-pattern',
        line: 8,
        pointer: '/paths/~1tickets/post/parameters/0/name',
      }),
      expect.objectContaining({ rule: 'names-pattern', line: 18 }),
    ]);
    expect(findings[0]?.message).toContain(
      "parameter name 'dry__run' is invalid: names must match ([0-9a-zA-Z][_-]?){1,100}",
    );
    expect(findings[1]?.message).toContain("request-body property 'ticket.title' is invalid");
  });
});
