import { type Finding, findingAt, type SchemaRule } from './finding';
import { MAX_OPERATION_DESCRIPTION, MAX_PARAMETER_DESCRIPTION } from './patterns';
import { eachOperation, isObj, operationLabel, parameterDeclarations, resolveRef } from './walk';

const RULE = 'description-lengths';

/**
 * Operation descriptions are non-empty and at most 1200 characters; parameter descriptions (path, query and
 * header parameters, and top-level request-body properties, which Bedrock also passes as parameters) are
 * non-empty and at most 500. Missing descriptions are reported by `operation-required-fields` and
 * `parameter-fields`.
 */
export const descriptionLengths: SchemaRule = (source) => {
  const doc = source.document;
  const findings: Finding[] = [];
  const check = (text: unknown, pointer: readonly (string | number)[], what: string, max: number): void => {
    if (typeof text !== 'string') return;
    if (text.trim() === '') {
      findings.push(
        findingAt(
          RULE,
          source,
          pointer,
          `${what} has an empty description; say what it is (the model relies on it)`,
        ),
      );
    } else if (text.length > max) {
      findings.push(
        findingAt(
          RULE,
          source,
          pointer,
          `${what} has a description of ${text.length} characters; Bedrock allows at most ${max}: shorten it`,
        ),
      );
    }
  };
  for (const operation of eachOperation(doc)) {
    const { op, pointer } = operation;
    check(op.description, [...pointer, 'description'], operationLabel(operation), MAX_OPERATION_DESCRIPTION);
  }
  for (const { param, pointer } of parameterDeclarations(doc)) {
    check(
      param.description,
      [...pointer, 'description'],
      `parameter '${String(param.name)}'`,
      MAX_PARAMETER_DESCRIPTION,
    );
  }
  const seen = new Set<string>();
  for (const operation of eachOperation(doc)) {
    const body = resolveRef(doc, operation.op.requestBody, [...operation.pointer, 'requestBody']);
    if (!body || !isObj(body.value) || !isObj(body.value.content)) continue;
    for (const [mediaType, media] of Object.entries(body.value.content)) {
      if (!isObj(media)) continue;
      const schema = resolveRef(doc, media.schema, [...body.pointer, 'content', mediaType, 'schema']);
      if (!schema || !isObj(schema.value) || !isObj(schema.value.properties)) continue;
      for (const [name, property] of Object.entries(schema.value.properties)) {
        const at = [...schema.pointer, 'properties', name, 'description'];
        if (!isObj(property) || seen.has(at.join('/'))) continue;
        seen.add(at.join('/'));
        check(property.description, at, `request-body property '${name}'`, MAX_PARAMETER_DESCRIPTION);
      }
    }
  }
  return findings;
};
