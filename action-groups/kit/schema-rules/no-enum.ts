import { findingAt, type SchemaRule } from './finding';
import { isObj, walkSchemas } from './walk';

const RULE = 'no-enum';

/** Bedrock action-group schemas do not support `enum` anywhere; allowed values belong in `description`. */
export const noEnum: SchemaRule = (source) =>
  walkSchemas(source.document)
    .filter(({ schema }) => isObj(schema) && 'enum' in schema)
    .map(({ schema, pointer }) => {
      const values = isObj(schema) && Array.isArray(schema.enum) ? schema.enum.map(String).join(', ') : '';
      const hint = values ? ` (e.g. "One of: ${values}.")` : '';
      return findingAt(
        RULE,
        source,
        [...pointer, 'enum'],
        `enum is not supported by Bedrock agents; remove it and list the allowed values in description${hint}, then validate them in the handler`,
      );
    });
