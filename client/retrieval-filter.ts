import type { RetrievalFilter } from '@aws-sdk/client-bedrock-agent-runtime';

/**
 * Retrieve metadata filters (`RetrievalFilter` of the Bedrock Retrieve API): the operators, what value each
 * takes, the service's limits, and the builder from typed clauses. Pure; `kass retrieve --filter` parses its
 * text syntax into clauses, the /search API validates JSON filters against the same operator table.
 */

/** A metadata value a filter compares with (sidecar metadata holds strings, numbers, booleans, string lists). */
export type FilterScalar = string | number | boolean;

/** The leaf operators of a `RetrievalFilter`, in the API's order. */
export const FILTER_OPERATORS = [
  'equals',
  'notEquals',
  'greaterThan',
  'greaterThanOrEquals',
  'lessThan',
  'lessThanOrEquals',
  'in',
  'notIn',
  'startsWith',
  'listContains',
  'stringContains',
] as const;

export type FilterOperator = (typeof FILTER_OPERATORS)[number];

/**
 * What an operator's `value` must be: `number` (the range comparisons), `list` (1–100 scalars: `in`, `notIn`),
 * `string` (`startsWith`, `stringContains`) or any `scalar` (`equals`, `notEquals`, `listContains`).
 */
export type FilterOperand = 'number' | 'list' | 'string' | 'scalar';

const OPERANDS: Readonly<Record<FilterOperator, FilterOperand>> = {
  equals: 'scalar',
  notEquals: 'scalar',
  greaterThan: 'number',
  greaterThanOrEquals: 'number',
  lessThan: 'number',
  lessThanOrEquals: 'number',
  in: 'list',
  notIn: 'list',
  startsWith: 'string',
  listContains: 'scalar',
  stringContains: 'string',
};

/** The kind of value `operator` takes. */
export const operandOf = (operator: FilterOperator): FilterOperand => OPERANDS[operator];

/** The service's limits: metadata keys, values of an `in`/`notIn` list, filters in an `andAll`/`orAll`. */
export const FILTER_LIMITS = {
  maxKeyLength: 100,
  maxListValues: 100,
  minGroupFilters: 2,
  maxGroupFilters: 10,
} as const;

/** One leaf of a filter: `{ [operator]: { key, value } }`. */
export interface FilterClause {
  readonly operator: FilterOperator;
  readonly key: string;
  readonly value: FilterScalar | FilterScalar[];
}

/** All clauses must match (`andAll`) or any of them (`orAll`). */
export type FilterMatch = 'all' | 'any';

/** The `RetrievalFilter` leaf of one clause. */
export function filterLeaf(clause: FilterClause): RetrievalFilter {
  // The SDK union has one member per operator; the clause's operator names it.
  return { [clause.operator]: { key: clause.key, value: clause.value } } as unknown as RetrievalFilter;
}

/**
 * The filter for several clauses: two or more → `andAll` (or `orAll`); one → the leaf itself (the API wants
 * at least 2 in a group); none → undefined (no filter).
 * @example toRetrievalFilter([{ operator: 'greaterThanOrEquals', key: 'year', value: 2024 }], 'all')
 *   → { greaterThanOrEquals: { key: 'year', value: 2024 } }
 */
export function toRetrievalFilter(
  clauses: readonly FilterClause[],
  match: FilterMatch,
): RetrievalFilter | undefined {
  const leaves = clauses.map(filterLeaf);
  if (leaves.length === 0) return undefined;
  if (leaves.length === 1) return leaves[0];
  return match === 'all' ? { andAll: leaves } : { orAll: leaves };
}
