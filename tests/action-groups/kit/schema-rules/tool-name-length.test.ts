import { toolNameLength } from '../../../../action-groups/kit/schema-rules/tool-name-length';
import { CREATE_TICKET, OK_RESPONSE, runRule, ticketsOperation, VALID } from './helpers';

const withId = (id: string): string => ticketsOperation(OK_RESPONSE, { ...CREATE_TICKET, operationId: id });

describe('Rule: tool-name-length', () => {
  it('accepts a tool name of exactly 64 characters', () => {
    // Prepare: post__tickets__ is 15 characters
    const text = withId('a'.repeat(49));
    // Act / Assess
    expect(runRule(toolNameLength, text)).toEqual([]);
    expect(runRule(toolNameLength, VALID)).toEqual([]);
  });

  it('reports a tool name of 65 characters, naming the tool', () => {
    // Act
    const findings = runRule(toolNameLength, withId('a'.repeat(50)));
    // Assess
    expect(findings).toEqual([
      expect.objectContaining({
        rule: 'tool-name-length',
        line: 5,
        pointer: '/paths/~1tickets/post/operationId',
      }),
    ]);
    expect(findings[0]?.message).toContain(
      `tool name 'post__tickets__${'a'.repeat(50)}' of POST /tickets is 65 characters`,
    );
    expect(findings[0]?.message).toContain('shorten the operationId or the action-group (file) name');
  });

  it('counts the action-group name', () => {
    // Act
    const findings = runRule(toolNameLength, withId('createTicket'), 'x'.repeat(45));
    // Assess
    expect(findings).toHaveLength(1);
    expect(findings[0]?.message).toContain('is 65 characters; Bedrock allows at most 64');
  });

  it('reports characters a tool name may not contain', () => {
    // Act
    const [finding] = runRule(toolNameLength, withId('createTicket'), 'tickets.v2');
    // Assess
    expect(finding).toMatchObject({ rule: 'tool-name-length', line: 5 });
    expect(finding?.message).toContain(
      "tool name 'post__tickets.v2__createTicket' of POST /tickets may contain only letters, digits, _ and -",
    );
  });
});
