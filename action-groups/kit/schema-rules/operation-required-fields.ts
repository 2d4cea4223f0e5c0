import { type Finding, findingAt, type SchemaRule } from './finding';
import { eachOperation, isObj, operationLabel, resolveRef } from './walk';

const RULE = 'operation-required-fields';

/**
 * "Minimally, each method requires": `description`, `operationId` and `responses`. Each response has a
 * `description` (OpenAPI) and `content` → media type → `schema` (Bedrock).
 */
export const operationRequiredFields: SchemaRule = (source) => {
  const doc = source.document;
  const findings: Finding[] = [];
  for (const operation of eachOperation(doc)) {
    const { op, pointer } = operation;
    const label = operationLabel(operation);
    if (op.description === undefined) {
      findings.push(
        findingAt(
          RULE,
          source,
          [...pointer, 'description'],
          `${label} has no description; add one saying what the tool does and when to use it (the model picks tools by description)`,
        ),
      );
    } else if (typeof op.description !== 'string') {
      findings.push(
        findingAt(RULE, source, [...pointer, 'description'], `${label}: description must be text`),
      );
    }
    if (op.operationId === undefined) {
      findings.push(
        findingAt(
          RULE,
          source,
          [...pointer, 'operationId'],
          `${label} has no operationId; add one such as listTickets (Bedrock uses it as the tool's name)`,
        ),
      );
    } else if (typeof op.operationId !== 'string') {
      findings.push(
        findingAt(RULE, source, [...pointer, 'operationId'], `${label}: operationId must be text; quote it`),
      );
    }
    const responses = op.responses;
    if (!isObj(responses) || Object.keys(responses).length === 0) {
      findings.push(
        findingAt(
          RULE,
          source,
          [...pointer, 'responses'],
          `${label} has no responses; add at least '200' with description and content → application/json → schema`,
        ),
      );
      continue;
    }
    for (const [code, entry] of Object.entries(responses)) {
      const at = [...pointer, 'responses', code];
      const target = resolveRef(doc, entry, at);
      if (!target || !isObj(target.value)) {
        findings.push(
          findingAt(
            RULE,
            source,
            at,
            `response ${code} of ${label} must be a mapping (or a resolvable local $ref) with description and content`,
          ),
        );
        continue;
      }
      const response = target.value;
      if (typeof response.description !== 'string') {
        findings.push(
          findingAt(
            RULE,
            source,
            [...target.pointer, 'description'],
            `response ${code} of ${label} has no description; add one (OpenAPI requires it)`,
          ),
        );
      }
      const content = response.content;
      if (!isObj(content) || Object.keys(content).length === 0) {
        findings.push(
          findingAt(
            RULE,
            source,
            [...target.pointer, 'content'],
            `response ${code} of ${label} has no content; add content → application/json → schema describing the body`,
          ),
        );
        continue;
      }
      for (const [mediaType, media] of Object.entries(content)) {
        if (isObj(media) && media.schema !== undefined) continue;
        findings.push(
          findingAt(
            RULE,
            source,
            [...target.pointer, 'content', mediaType, 'schema'],
            `response ${code} of ${label}: ${mediaType} has no schema; add schema with type and properties`,
          ),
        );
      }
    }
  }
  return findings;
};
