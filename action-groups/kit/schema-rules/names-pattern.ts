import { type Finding, findingAt, type SchemaRule } from './finding';
import { isValidName } from './patterns';
import { eachOperation, isObj, parameterDeclarations, resolveRef } from './walk';

const RULE = 'names-pattern';

const PATTERN_HINT =
  'names must match ([0-9a-zA-Z][_-]?){1,100}: start with a letter or digit, no spaces or dots, no doubled - or _';

/**
 * The action-group name (the schema's file name) and every parameter name match Bedrock's `Name` pattern
 * `([0-9a-zA-Z][_-]?){1,100}`. Top-level request-body properties are checked too: Bedrock passes them to the
 * tool as named parameters as well.
 */
export const namesPattern: SchemaRule = (source, context) => {
  const doc = source.document;
  const findings: Finding[] = [];
  if (!isValidName(context.group)) {
    findings.push(
      findingAt(
        RULE,
        source,
        [],
        `action-group name '${context.group}' (the schema's file name) is invalid: ${PATTERN_HINT}; rename the file, e.g. code-review.yaml`,
      ),
    );
  }
  for (const { param, pointer } of parameterDeclarations(doc)) {
    if (typeof param.name !== 'string' || isValidName(param.name)) continue;
    findings.push(
      findingAt(
        RULE,
        source,
        [...pointer, 'name'],
        `parameter name '${param.name}' is invalid: ${PATTERN_HINT}; rename it, e.g. ticketId`,
      ),
    );
  }
  const reported = new Set<string>();
  for (const { op, pointer } of eachOperation(doc)) {
    const body = resolveRef(doc, op.requestBody, [...pointer, 'requestBody']);
    if (!body || !isObj(body.value) || !isObj(body.value.content)) continue;
    for (const [mediaType, media] of Object.entries(body.value.content)) {
      if (!isObj(media)) continue;
      const schema = resolveRef(doc, media.schema, [...body.pointer, 'content', mediaType, 'schema']);
      if (!schema || !isObj(schema.value) || !isObj(schema.value.properties)) continue;
      for (const name of Object.keys(schema.value.properties)) {
        const at = [...schema.pointer, 'properties', name];
        if (isValidName(name) || reported.has(at.join('/'))) continue;
        reported.add(at.join('/'));
        findings.push(
          findingAt(
            RULE,
            source,
            at,
            `request-body property '${name}' is invalid: ${PATTERN_HINT}; rename it, e.g. conversationId`,
          ),
        );
      }
    }
  }
  return findings;
};
