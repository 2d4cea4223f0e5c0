import fc from 'fast-check';
import {
  FILTER_LIMITS,
  FILTER_OPERATORS,
  type FilterClause,
  type FilterScalar,
  filterLeaf,
  operandOf,
  toRetrievalFilter,
} from '../../client';
import { searchRequest } from '../../functions/shared/requests';

const number = fc
  .oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }))
  .map((n) => (Object.is(n, -0) ? 0 : n));
const scalar: fc.Arbitrary<FilterScalar> = fc.oneof(fc.string(), fc.boolean(), number);
/** Any clause whose value has the type its operator takes. */
const clause: fc.Arbitrary<FilterClause> = fc
  .record({
    operator: fc.constantFrom(...FILTER_OPERATORS),
    key: fc.string({ minLength: 1, maxLength: FILTER_LIMITS.maxKeyLength }),
  })
  .chain(({ operator, key }) => {
    const value: fc.Arbitrary<FilterScalar | FilterScalar[]> = {
      number,
      list: fc.array(scalar, { minLength: 1, maxLength: 5 }),
      string: fc.string(),
      scalar,
    }[operandOf(operator)];
    return value.map((v) => ({ operator, key, value: v }));
  });

describe('Function: operandOf', () => {
  it.each([
    ['equals', 'scalar'],
    ['notEquals', 'scalar'],
    ['greaterThan', 'number'],
    ['greaterThanOrEquals', 'number'],
    ['lessThan', 'number'],
    ['lessThanOrEquals', 'number'],
    ['in', 'list'],
    ['notIn', 'list'],
    ['startsWith', 'string'],
    ['listContains', 'scalar'],
    ['stringContains', 'string'],
  ] as const)('%s takes a %s', (operator, operand) => {
    expect(operandOf(operator)).toBe(operand);
  });

  it('knows every operator', () => {
    expect(FILTER_OPERATORS.map(operandOf).every((o) => o !== undefined)).toBe(true);
  });
});

describe('Function: filterLeaf', () => {
  it('names the operator and carries key and value', () => {
    expect(filterLeaf({ operator: 'in', key: 'team', value: ['it-ops', 'sre'] })).toEqual({
      in: { key: 'team', value: ['it-ops', 'sre'] },
    });
  });
});

describe('Function: toRetrievalFilter', () => {
  it('groups two or more clauses in andAll (orAll with any), and keeps one as a leaf', () => {
    fc.assert(
      fc.property(fc.array(clause, { minLength: 0, maxLength: 6 }), (clauses) => {
        const filter = toRetrievalFilter(clauses, 'all') as { andAll?: unknown[] } | undefined;
        if (clauses.length === 0) expect(filter).toBeUndefined();
        else if (clauses.length === 1) expect(Object.keys(filter ?? {})).toEqual([clauses[0]?.operator]);
        else expect(filter?.andAll?.length).toBe(clauses.length);
        const any = toRetrievalFilter(clauses, 'any') as { orAll?: unknown[] } | undefined;
        if (clauses.length > 1) expect(any?.orAll?.length).toBe(clauses.length);
      }),
    );
  });
});

describe('Contract: client filters and POST /search', () => {
  const search = searchRequest({ maxQueryChars: 100, maxResults: 10 });

  it('the /search request accepts every filter the client builds within the limits', () => {
    fc.assert(
      fc.property(
        fc.array(clause, { minLength: 1, maxLength: FILTER_LIMITS.maxGroupFilters }),
        fc.constantFrom('all' as const, 'any' as const),
        (clauses, match) => {
          const filter = toRetrievalFilter(clauses, match);
          const parsed = search.safeParse({ query: 'q', filter });
          expect(parsed.success).toBe(true);
          expect(parsed.data?.filter).toEqual(filter);
        },
      ),
    );
  });

  it('rejects a number operator with a string value, as kass retrieve does', () => {
    const filter = toRetrievalFilter([{ operator: 'greaterThan', key: 'year', value: '2024' }], 'all');
    expect(search.safeParse({ query: 'q', filter }).success).toBe(false);
  });
});
