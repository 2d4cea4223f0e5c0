import { parameterFields } from '../../../../action-groups/kit/schema-rules/parameter-fields';
import { OK_RESPONSE, runRule, ticketsOperation, VALID, yaml } from './helpers';

const withParameters = (...parameters: string[]): string =>
  ticketsOperation(yaml`
    parameters:
      ${parameters.map((p) => `- ${p}`).join('\n')}
    ${OK_RESPONSE}
  `);

describe('Rule: parameter-fields', () => {
  it('accepts parameters with name, description, a valid location and a scalar type', () => {
    expect(runRule(parameterFields, VALID)).toEqual([]);
    expect(
      runRule(
        parameterFields,
        withParameters('{ name: limit, in: query, description: At most, schema: { type: integer } }'),
      ),
    ).toEqual([]);
  });

  it('reports a parameter without description', () => {
    // Act
    const findings = runRule(parameterFields, withParameters('{ name: limit, in: query }'));
    // Assess
    expect(findings).toEqual([
      expect.objectContaining({
        rule: 'parameter-fields',
        line: 8,
        pointer: '/paths/~1tickets/get/parameters/0/description',
      }),
    ]);
    expect(findings[0]?.message).toContain("parameter 'limit' has no description; add one");
  });

  it('reports a missing name and an unsupported location', () => {
    // Act
    const findings = runRule(parameterFields, withParameters('{ in: cookie, description: Session }'));
    // Assess
    expect(findings.map((f) => f.pointer)).toEqual([
      '/paths/~1tickets/get/parameters/0/name',
      '/paths/~1tickets/get/parameters/0/in',
    ]);
    expect(findings[0]?.message).toContain('parameter has no name');
    expect(findings[1]?.message).toContain("in is 'cookie'; set it to one of path, query, header");
  });

  it('reports a path parameter that is not required', () => {
    // Prepare
    const text = VALID.replace('          required: true\n', '');
    // Act
    const [finding] = runRule(parameterFields, text);
    // Assess
    expect(finding).toMatchObject({ rule: 'parameter-fields', line: 11 });
    expect(finding?.message).toContain("parameter 'ticketId' is in the path, so it must have required: true");
  });

  it('reports an object parameter', () => {
    // Act
    const [finding] = runRule(
      parameterFields,
      withParameters('{ name: filter, in: query, description: Filter, schema: { type: object } }'),
    );
    // Assess
    expect(finding).toMatchObject({
      rule: 'parameter-fields',
      line: 8,
      pointer: '/paths/~1tickets/get/parameters/0/schema/type',
    });
    expect(finding?.message).toContain('has type object; Bedrock passes each parameter as one string value');
  });

  it('reports a parameter declared twice', () => {
    // Prepare
    const text = withParameters(
      '{ name: limit, in: query, description: A }',
      '{ name: limit, in: query, description: B }',
    );
    // Act
    const findings = runRule(parameterFields, text);
    // Assess
    expect(findings).toEqual([
      expect.objectContaining({ line: 9, pointer: '/paths/~1tickets/get/parameters/1' }),
    ]);
    expect(findings[0]?.message).toContain("GET /tickets declares query parameter 'limit' twice");
  });
});
