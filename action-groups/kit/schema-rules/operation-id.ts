import { type Finding, findingAt, type SchemaRule } from './finding';
import { isValidOperationId } from './patterns';
import { eachOperation, operationLabel } from './walk';

const RULE = 'operation-id';

/**
 * operationIds are unique and follow "a simple alphanumeric pattern with only hyphens or underscores as
 * separators": no spaces, no leading/trailing separator, never `__` (which would break the tool name).
 * A missing operationId is reported by `operation-required-fields`.
 */
export const operationId: SchemaRule = (source) => {
  const findings: Finding[] = [];
  const firstUse = new Map<string, string>();
  for (const operation of eachOperation(source.document)) {
    const id = operation.op.operationId;
    if (typeof id !== 'string') continue;
    const pointer = [...operation.pointer, 'operationId'];
    const label = operationLabel(operation);
    if (!isValidOperationId(id)) {
      const why = id.includes('__')
        ? 'it contains `__`, which Bedrock uses to separate the parts of a tool name'
        : 'it must be letters and digits, optionally joined by single - or _ (no spaces, no leading or trailing separator)';
      findings.push(
        findingAt(
          RULE,
          source,
          pointer,
          `operationId '${id}' of ${label} is invalid: ${why}; use a name such as createTicket`,
        ),
      );
    }
    const earlier = firstUse.get(id);
    if (earlier) {
      findings.push(
        findingAt(
          RULE,
          source,
          pointer,
          `operationId '${id}' of ${label} is already used by ${earlier}; operationIds must be unique, rename one`,
        ),
      );
    } else {
      firstUse.set(id, label);
    }
  }
  return findings;
};
