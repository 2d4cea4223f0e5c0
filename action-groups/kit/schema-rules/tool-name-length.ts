import { toolNameOf } from '../openapi/operations';
import { type Finding, findingAt, type SchemaRule } from './finding';
import { MAX_TOOL_NAME_LENGTH, TOOL_NAME_PATTERN } from './patterns';
import { eachOperation, operationLabel } from './walk';

const RULE = 'tool-name-length';

/**
 * Bedrock builds each Claude tool name as `verb__group__operationId`; it must match `^[a-zA-Z0-9_-]{1,64}$`.
 * Operations without a string operationId are reported by `operation-required-fields`.
 */
export const toolNameLength: SchemaRule = (source, context) => {
  const findings: Finding[] = [];
  for (const operation of eachOperation(source.document)) {
    const { operationId } = operation.op;
    if (typeof operationId !== 'string') continue;
    const name = toolNameOf(context.group, { method: operation.method, operationId });
    const pointer = [...operation.pointer, 'operationId'];
    if (name.length > MAX_TOOL_NAME_LENGTH) {
      findings.push(
        findingAt(
          RULE,
          source,
          pointer,
          `tool name '${name}' of ${operationLabel(operation)} is ${name.length} characters; Bedrock allows at most ${MAX_TOOL_NAME_LENGTH} (verb__group__operationId): shorten the operationId or the action-group (file) name`,
        ),
      );
    } else if (!TOOL_NAME_PATTERN.test(name)) {
      findings.push(
        findingAt(
          RULE,
          source,
          pointer,
          `tool name '${name}' of ${operationLabel(operation)} may contain only letters, digits, _ and -; fix the operationId or the action-group (file) name`,
        ),
      );
    }
  }
  return findings;
};
