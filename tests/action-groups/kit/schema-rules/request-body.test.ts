import { requestBody } from '../../../../action-groups/kit/schema-rules/request-body';
import { CHANGE_TICKETS, OK_RESPONSE, runRule, ticketsOperation, yaml } from './helpers';

const withBody = (method: string, body: string): string =>
  ticketsOperation(
    yaml`
      requestBody:
        ${body}
      ${OK_RESPONSE}
    `,
    { ...CHANGE_TICKETS, method },
  );

const OBJECT_BODY = yaml`
  required: true
  content:
    application/json:
      schema:
        type: object
        required: [title]
        properties:
          title: { type: string, description: Title }
`.trimEnd();

describe('Rule: request-body', () => {
  it('accepts an object body with properties on POST, PUT and PATCH', () => {
    for (const method of ['post', 'put', 'patch']) {
      expect(runRule(requestBody, withBody(method, OBJECT_BODY))).toEqual([]);
    }
  });

  it.each(['get', 'delete'])('reports a body on %s', (method) => {
    // Act
    const findings = runRule(requestBody, withBody(method, OBJECT_BODY));
    // Assess
    expect(findings).toEqual([
      expect.objectContaining({
        rule: 'request-body',
        line: 8,
        pointer: `/paths/~1tickets/${method}/requestBody`,
      }),
    ]);
    expect(findings[0]?.message).toContain(
      `which Bedrock does not allow on ${method.toUpperCase()}; pass the values as query parameters`,
    );
  });

  it('reports a body without content', () => {
    // Act
    const [finding] = runRule(requestBody, withBody('post', 'required: true'));
    // Assess
    expect(finding).toMatchObject({
      rule: 'request-body',
      line: 8,
      pointer: '/paths/~1tickets/post/requestBody/content',
    });
    expect(finding?.message).toContain(
      'requestBody of POST /tickets has no content; add content → application/json → schema',
    );
  });

  it('reports a non-object schema, a schema without properties and an unknown required name', () => {
    // Prepare
    const text = withBody(
      'post',
      yaml`
        content:
          application/json:
            schema: { type: string }
          text/plain:
            schema:
              type: object
              required: [missing]
              properties:
                present: { type: string }
      `.trimEnd(),
    );
    // Act
    const findings = runRule(requestBody, text);
    // Assess
    expect(findings.map((f) => [f.line, f.pointer])).toEqual([
      [10, '/paths/~1tickets/post/requestBody/content/application~1json/schema/type'],
      [10, '/paths/~1tickets/post/requestBody/content/application~1json/schema/properties'],
      [14, '/paths/~1tickets/post/requestBody/content/text~1plain/schema/required/0'],
    ]);
    expect(findings[0]?.message).toContain(
      'must be type: object (Bedrock passes the body as named properties)',
    );
    expect(findings[1]?.message).toContain('has no properties; declare each field under properties');
    expect(findings[2]?.message).toContain("requires 'missing', which is not among its properties");
  });
});
