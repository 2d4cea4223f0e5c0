import { type Finding, findingAt, type SchemaRule } from './finding';
import {
  GATEWAY_TARGET_NAME_PATTERN,
  GATEWAY_TOOL_NAME_PATTERN,
  gatewayToolNameOf,
  MAX_GATEWAY_TOOL_NAME_LENGTH,
} from './patterns';
import { eachOperation, operationLabel } from './walk';

const RULE = 'gateway-names';

/**
 * On the AgentCore engine the action-group name is the gateway target name (letters, digits, single dashes) and
 * the model sees each operation as `<target>___<operationId>`: at most 64 letters, digits, `_` and `-`.
 */
export const gatewayNames: SchemaRule = (source, context) => {
  const findings: Finding[] = [];
  if (!GATEWAY_TARGET_NAME_PATTERN.test(context.group)) {
    findings.push(
      findingAt(
        RULE,
        source,
        [],
        `action group '${context.group}' cannot be an AgentCore gateway target name (letters, digits and single dashes, at most 100): rename the file, e.g. ${context.group.replace(/[^0-9a-zA-Z]+/g, '-').replace(/^-|-$/g, '') || 'tools'}.yaml`,
      ),
    );
    // Every tool name repeats the target name: one finding says what to fix.
    return findings;
  }
  for (const operation of eachOperation(source.document)) {
    const { operationId } = operation.op;
    if (typeof operationId !== 'string') continue;
    const name = gatewayToolNameOf(context.group, operationId);
    if (name.length > MAX_GATEWAY_TOOL_NAME_LENGTH || !GATEWAY_TOOL_NAME_PATTERN.test(name)) {
      findings.push(
        findingAt(
          RULE,
          source,
          [...operation.pointer, 'operationId'],
          `gateway tool name '${name}' of ${operationLabel(operation)} is ${name.length} characters; the model accepts at most ${MAX_GATEWAY_TOOL_NAME_LENGTH} letters, digits, _ and - (target___operationId): shorten the operationId or the file name`,
        ),
      );
    }
  }
  return findings;
};
