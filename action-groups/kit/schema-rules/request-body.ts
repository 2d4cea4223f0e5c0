import { type Finding, findingAt, type SchemaRule } from './finding';
import { eachOperation, isObj, operationLabel, resolveRef } from './walk';

const RULE = 'request-body';

/**
 * `requestBody` is not allowed on GET and DELETE ("Don't include this field for GET and DELETE methods").
 * Elsewhere it needs `content` → media type → `schema`, an `object` schema with `properties` (Bedrock sends the
 * body as a flat list of named properties), and every `required` name among those properties. Property types
 * are checked by `schema-types`.
 */
export const requestBody: SchemaRule = (source) => {
  const doc = source.document;
  const findings: Finding[] = [];
  for (const operation of eachOperation(doc)) {
    const { op, pointer, method } = operation;
    if (op.requestBody === undefined) continue;
    const label = operationLabel(operation);
    const at = [...pointer, 'requestBody'];
    if (method === 'GET' || method === 'DELETE') {
      findings.push(
        findingAt(
          RULE,
          source,
          at,
          `${label} has a requestBody, which Bedrock does not allow on ${method}; pass the values as query parameters or use POST`,
        ),
      );
      continue;
    }
    const body = resolveRef(doc, op.requestBody, at);
    if (!body || !isObj(body.value)) {
      findings.push(
        findingAt(
          RULE,
          source,
          at,
          `requestBody of ${label} must be a mapping (or a resolvable local $ref) with content`,
        ),
      );
      continue;
    }
    const content = body.value.content;
    if (!isObj(content) || Object.keys(content).length === 0) {
      findings.push(
        findingAt(
          RULE,
          source,
          [...body.pointer, 'content'],
          `requestBody of ${label} has no content; add content → application/json → schema (type: object, properties)`,
        ),
      );
      continue;
    }
    for (const [mediaType, media] of Object.entries(content)) {
      const schemaAt = [...body.pointer, 'content', mediaType, 'schema'];
      const schema = isObj(media) ? resolveRef(doc, media.schema, schemaAt) : undefined;
      if (!schema || !isObj(schema.value)) {
        findings.push(
          findingAt(
            RULE,
            source,
            schemaAt,
            `requestBody of ${label}: ${mediaType} has no schema; add schema with type: object and properties`,
          ),
        );
        continue;
      }
      const { value } = schema;
      if (value.type !== 'object') {
        findings.push(
          findingAt(
            RULE,
            source,
            [...schema.pointer, 'type'],
            `requestBody schema of ${label} must be type: object (Bedrock passes the body as named properties); wrap the value in a property`,
          ),
        );
      }
      const properties = isObj(value.properties) ? value.properties : {};
      if (Object.keys(properties).length === 0) {
        findings.push(
          findingAt(
            RULE,
            source,
            [...schema.pointer, 'properties'],
            `requestBody schema of ${label} has no properties; declare each field under properties with type and description`,
          ),
        );
        continue;
      }
      const required = Array.isArray(value.required) ? value.required : [];
      required.forEach((name, i) => {
        if (typeof name === 'string' && name in properties) return;
        findings.push(
          findingAt(
            RULE,
            source,
            [...schema.pointer, 'required', i],
            `requestBody of ${label} requires '${String(name)}', which is not among its properties; declare it or remove it from required`,
          ),
        );
      });
    }
  }
  return findings;
};
