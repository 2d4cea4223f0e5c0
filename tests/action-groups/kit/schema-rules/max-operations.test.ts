import { maxOperations } from '../../../../action-groups/kit/schema-rules/max-operations';
import { OK_RESPONSE, runRule, yaml } from './helpers';

/** A document with `count` GET operations, one path (of 14 lines) each. */
const withOperations = (count: number): string =>
  [
    'openapi: 3.0.0',
    'paths:',
    ...Array.from({ length: count }, (_, i) =>
      yaml`
        /things${i}:
          get:
            operationId: getThing${i}
            description: Gets thing ${i}.
            ${OK_RESPONSE}
      `
        .trimEnd()
        .replace(/^/gm, '  '),
    ),
  ].join('\n');

describe('Rule: max-operations', () => {
  it('accepts 11 operations', () => {
    expect(runRule(maxOperations, withOperations(11))).toEqual([]);
  });

  it('reports the 12th operation', () => {
    // Act
    const findings = runRule(maxOperations, withOperations(12));
    // Assess: 2 header lines, 14 lines per path; the 12th operation's first field is line 2 + 11·14 + 3
    expect(findings).toEqual([
      expect.objectContaining({ rule: 'max-operations', line: 159, pointer: '/paths/~1things11/get' }),
    ]);
    expect(findings[0]?.message).toContain('12 operations; Bedrock allows at most 11 per action group');
    expect(findings[0]?.message).toContain('(from GET /things11 on)');
  });
});
