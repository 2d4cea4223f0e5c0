import { requireConfirmationOnWrites } from '../../../../action-groups/kit/schema-rules/require-confirmation-on-writes';
import { CHANGE_TICKETS, OK_RESPONSE, runRule, ticketsOperation, VALID, yaml } from './helpers';

const withOperation = (method: string, extensions: string): string =>
  ticketsOperation(
    yaml`
      ${extensions}
      ${OK_RESPONSE}
    `,
    { ...CHANGE_TICKETS, method },
  );

describe('Rule: require-confirmation-on-writes', () => {
  it.each(['post', 'put', 'patch', 'delete'])('accepts %s with x-requireConfirmation: ENABLED', (method) => {
    expect(
      runRule(requireConfirmationOnWrites, withOperation(method, 'x-requireConfirmation: ENABLED')),
    ).toEqual([]);
  });

  it('accepts reads without confirmation', () => {
    expect(runRule(requireConfirmationOnWrites, VALID)).toEqual([]);
  });

  it('accepts an explicit opt-out on a POST marked x-kass-readOnly: true', () => {
    // Prepare
    const text = withOperation('post', 'x-kass-readOnly: true\nx-requireConfirmation: DISABLED');
    // Act / Assess
    expect(runRule(requireConfirmationOnWrites, text)).toEqual([]);
  });

  it.each(['post', 'put', 'patch', 'delete'])('reports %s without confirmation', (method) => {
    // Act
    const findings = runRule(requireConfirmationOnWrites, withOperation(method, 'x-note: none'));
    // Assess
    expect(findings).toEqual([
      expect.objectContaining({
        rule: 'require-confirmation-on-writes',
        line: 5,
        pointer: `/paths/~1tickets/${method}`,
      }),
    ]);
    expect(findings[0]?.message).toContain(
      `${method.toUpperCase()} /tickets changes data; set x-requireConfirmation: ENABLED so the agent asks the user first`,
    );
    expect(findings[0]?.message).toContain(
      'may instead set x-kass-readOnly: true and x-requireConfirmation: DISABLED',
    );
  });

  it('reports DISABLED on a write that is not marked read-only', () => {
    // Act
    const [finding] = runRule(
      requireConfirmationOnWrites,
      withOperation('post', 'x-requireConfirmation: DISABLED'),
    );
    // Assess
    expect(finding).toMatchObject({ line: 7, pointer: '/paths/~1tickets/post/x-requireConfirmation' });
    expect(finding?.message).toContain('POST /tickets changes data');
  });

  it('reports a read-only POST that does not opt out explicitly', () => {
    // Act
    const [finding] = runRule(requireConfirmationOnWrites, withOperation('post', 'x-kass-readOnly: true'));
    // Assess
    expect(finding).toMatchObject({ rule: 'require-confirmation-on-writes', line: 5 });
    expect(finding?.message).toContain(
      'does not opt out of confirmation explicitly; add x-requireConfirmation: DISABLED',
    );
  });

  it('does not let x-kass-readOnly excuse a DELETE', () => {
    // Act
    const [finding] = runRule(
      requireConfirmationOnWrites,
      withOperation('delete', 'x-kass-readOnly: true\nx-requireConfirmation: DISABLED'),
    );
    // Assess
    expect(finding?.message).toContain('x-kass-readOnly applies only to POST');
  });

  it('reports a value other than ENABLED or DISABLED, also on a GET', () => {
    // Act
    const [finding] = runRule(
      requireConfirmationOnWrites,
      withOperation('get', 'x-requireConfirmation: "yes"'),
    );
    // Assess
    expect(finding).toMatchObject({ line: 7, pointer: '/paths/~1tickets/get/x-requireConfirmation' });
    expect(finding?.message).toContain("is 'yes'; Bedrock accepts only ENABLED or DISABLED");
  });

  it('reports a quoted x-kass-readOnly', () => {
    // Act
    const findings = runRule(
      requireConfirmationOnWrites,
      withOperation('post', "x-kass-readOnly: 'true'\nx-requireConfirmation: DISABLED"),
    );
    // Assess
    expect(findings.map((f) => f.line)).toEqual([7, 8]);
    expect(findings[0]?.message).toContain(
      'x-kass-readOnly of POST /tickets must be true or false (unquoted)',
    );
  });
});
