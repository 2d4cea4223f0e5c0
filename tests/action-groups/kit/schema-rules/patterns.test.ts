import fc from 'fast-check';
import { namesPattern } from '../../../../action-groups/kit/schema-rules/names-pattern';
import { operationId } from '../../../../action-groups/kit/schema-rules/operation-id';
import { isValidName, isValidOperationId } from '../../../../action-groups/kit/schema-rules/patterns';
import { OK_RESPONSE, runRule, ticketsOperation, VALID } from './helpers';

// Oracles written from the documented patterns, independently of the regular expressions under test.
const isAlnum = (c: string): boolean => /^[0-9a-zA-Z]$/.test(c);
const isSeparator = (c: string): boolean => c === '-' || c === '_';

/** operationId: alphanumeric runs joined by single `-` or `_` (bedrock-agent-contract.md §4). */
const operationIdOracle = (s: string): boolean =>
  s.length > 0 && s.split(/[-_]/).every((run) => run.length > 0 && [...run].every(isAlnum));

/** Name: `([0-9a-zA-Z][_-]?){1,100}` (bedrock-agent-contract.md §4.1). */
const nameOracle = (s: string): boolean => {
  const chars = [...s];
  if (chars.length === 0 || !isAlnum(chars[0] ?? '')) return false;
  let units = 0;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] ?? '';
    if (isAlnum(c)) units++;
    else if (!isSeparator(c) || isSeparator(chars[i - 1] ?? '')) return false;
  }
  return units <= 100;
};

const alphabet = fc.constantFrom(...'aZ09-_ .é/'.split(''));
const randomText = (maxLength: number) => fc.string({ unit: alphabet, maxLength });
/** Strings built from the pattern itself, so accepted values are generated often, up to 101 units. */
const patternShaped = fc
  .array(fc.tuple(fc.constantFrom('a', 'Z', '7'), fc.constantFrom('', '', '-', '_')), {
    minLength: 0,
    maxLength: 101,
  })
  .map((units) => units.map(([c, sep]) => c + sep).join(''));

const withOperationId = (id: string): string =>
  ticketsOperation(OK_RESPONSE, { operationId: JSON.stringify(id) });

describe('Property: Bedrock name patterns', () => {
  it('the operation-id rule accepts an operationId iff it matches the documented pattern', () => {
    fc.assert(
      fc.property(fc.oneof(randomText(12), patternShaped), (id) => {
        // Act
        const findings = runRule(operationId, withOperationId(id));
        // Assess
        expect(isValidOperationId(id)).toBe(operationIdOracle(id));
        expect(findings.length === 0).toBe(operationIdOracle(id));
      }),
    );
  });

  it('the names-pattern rule accepts an action-group name iff it matches ([0-9a-zA-Z][_-]?){1,100}', () => {
    fc.assert(
      fc.property(fc.oneof(randomText(12), patternShaped), (name) => {
        // Act
        const findings = runRule(namesPattern, VALID, name);
        // Assess
        expect(isValidName(name)).toBe(nameOracle(name));
        expect(findings.length === 0).toBe(nameOracle(name));
      }),
    );
  });

  it('examples at the edges of the patterns', () => {
    expect(isValidName('a'.repeat(100))).toBe(true);
    expect(isValidName('a'.repeat(101))).toBe(false);
    expect(isValidName('a-'.repeat(100))).toBe(true);
    expect(isValidName('code-review')).toBe(true);
    expect(isValidName('-report')).toBe(false);
    expect(isValidName('re__port')).toBe(false);
    expect(isValidOperationId('createTicket')).toBe(true);
    expect(isValidOperationId('create_ticket-v2')).toBe(true);
    expect(isValidOperationId('create__ticket')).toBe(false);
    expect(isValidOperationId('createTicket-')).toBe(false);
  });
});
