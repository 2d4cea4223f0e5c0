import { findingAt, type SchemaRule } from './finding';
import { MAX_OPERATIONS } from './patterns';
import { eachOperation } from './walk';

const RULE = 'max-operations';

/** An action group may have "up to 11" API operations. */
export const maxOperations: SchemaRule = (source) => {
  const operations = eachOperation(source.document);
  const first = operations[MAX_OPERATIONS];
  if (!first) return [];
  return [
    findingAt(
      RULE,
      source,
      first.pointer,
      `${operations.length} operations; Bedrock allows at most ${MAX_OPERATIONS} per action group: move the extra ones (from ${first.method} ${first.path} on) to another schemas/<group>.yaml`,
    ),
  ];
};
