import { type Finding, findingAt, type SchemaRule } from './finding';
import { isObj, walkSchemas } from './walk';

const RULE = 'schema-keywords';

/** The keywords of an OpenAPI 3.0 schema object (`enum` is reported by `no-enum`). */
const KEYWORDS = new Set([
  '$ref',
  'additionalProperties',
  'allOf',
  'anyOf',
  'default',
  'deprecated',
  'description',
  'discriminator',
  'enum',
  'example',
  'exclusiveMaximum',
  'exclusiveMinimum',
  'externalDocs',
  'format',
  'items',
  'maxItems',
  'maxLength',
  'maxProperties',
  'maximum',
  'minItems',
  'minLength',
  'minProperties',
  'minimum',
  'multipleOf',
  'not',
  'nullable',
  'oneOf',
  'pattern',
  'properties',
  'readOnly',
  'required',
  'title',
  'type',
  'uniqueItems',
  'writeOnly',
  'xml',
]);

/**
 * Every key of a schema object is an OpenAPI 3.0 schema keyword or an `x-` extension. An unknown key is
 * usually a YAML slip, e.g. `{ description: When, where }`: in flow style the comma ends the value and
 * `where` becomes a key, so the description is silently cut.
 */
export const schemaKeywords: SchemaRule = (source) => {
  const findings: Finding[] = [];
  for (const { schema, pointer } of walkSchemas(source.document)) {
    if (!isObj(schema)) continue;
    for (const key of Object.keys(schema)) {
      if (KEYWORDS.has(key) || key.startsWith('x-')) continue;
      const hint =
        schema[key] === null
          ? 'it has no value, so an unquoted comma in a { flow: style } value probably split that value: quote the value'
          : 'fix its spelling (e.g. maxLength, not maxlength) or move it under properties if it is a field';
      findings.push(
        findingAt(RULE, source, [...pointer, key], `'${key}' is not an OpenAPI 3.0 schema keyword; ${hint}`),
      );
    }
  }
  return findings;
};
