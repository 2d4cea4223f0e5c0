import { type Finding, findingAt, type SchemaRule } from './finding';
import { SCHEMA_TYPES } from './patterns';
import { isObj, resolveRef, type SchemaNode, walkSchemas } from './walk';

const RULE = 'schema-types';

const nodeLabel = (node: SchemaNode): string =>
  node.role === 'property'
    ? `property '${node.name}'`
    : node.role === 'items'
      ? 'array items schema'
      : 'schema';

/**
 * Every schema (parameters, bodies, responses, components, and all nested properties and items) has a `type`
 * from Bedrock's set (string, number, integer, boolean, array, object); arrays declare `items`; `$ref`s resolve.
 */
export const schemaTypes: SchemaRule = (source) => {
  const doc = source.document;
  const findings: Finding[] = [];
  const allowed = SCHEMA_TYPES.join(', ');
  for (const node of walkSchemas(doc)) {
    const { schema, pointer } = node;
    const what = nodeLabel(node);
    if (!isObj(schema)) {
      findings.push(
        findingAt(RULE, source, pointer, `${what} must be a mapping with a type (one of ${allowed})`),
      );
      continue;
    }
    if (schema.$ref !== undefined) {
      if (!resolveRef(doc, schema, pointer)) {
        findings.push(
          findingAt(
            RULE,
            source,
            [...pointer, '$ref'],
            `$ref '${String(schema.$ref)}' does not resolve; point it at an existing #/components/... entry or inline the schema`,
          ),
        );
      }
      continue;
    }
    const type = schema.type;
    if (type === undefined) {
      findings.push(findingAt(RULE, source, pointer, `${what} has no type; add type: (one of ${allowed})`));
    } else if (Array.isArray(type)) {
      findings.push(
        findingAt(
          RULE,
          source,
          [...pointer, 'type'],
          `${what} has a list of types, which OpenAPI 3.0 does not allow; use one type (and nullable: true for null)`,
        ),
      );
    } else if (!SCHEMA_TYPES.includes(type as (typeof SCHEMA_TYPES)[number])) {
      findings.push(
        findingAt(
          RULE,
          source,
          [...pointer, 'type'],
          `${what} has type '${String(type)}'; use one of ${allowed}`,
        ),
      );
    } else if (type === 'array' && schema.items === undefined) {
      findings.push(
        findingAt(RULE, source, pointer, `${what} is an array without items; add items with a type`),
      );
    }
  }
  return findings;
};
