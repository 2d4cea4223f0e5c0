import { type Finding, findingAt, type SchemaRule } from './finding';
import { PARAMETER_LOCATIONS, PARAMETER_TYPES } from './patterns';
import { eachOperation, isObj, operationLabel, parameterDeclarations, resolveRef } from './walk';

const RULE = 'parameter-fields';

/**
 * Each parameter has a `name` and a `description`, `in` is one of path, query or header, path parameters
 * are `required: true`, names are unique per location, and the schema type is one Bedrock can pass as a
 * single string value (not `object`). Unknown types are reported by `schema-types`.
 */
export const parameterFields: SchemaRule = (source) => {
  const doc = source.document;
  const findings: Finding[] = [];
  for (const { param, pointer } of parameterDeclarations(doc)) {
    const label = typeof param.name === 'string' ? `parameter '${param.name}'` : 'parameter';
    if (typeof param.name !== 'string' || param.name === '') {
      findings.push(
        findingAt(
          RULE,
          source,
          [...pointer, 'name'],
          `${label} has no name; add name: (the key the handler reads)`,
        ),
      );
    }
    if (param.description === undefined) {
      findings.push(
        findingAt(
          RULE,
          source,
          [...pointer, 'description'],
          `${label} has no description; add one saying what the value is and its format (Bedrock requires it)`,
        ),
      );
    } else if (typeof param.description !== 'string') {
      findings.push(
        findingAt(RULE, source, [...pointer, 'description'], `${label}: description must be text`),
      );
    }
    if (!PARAMETER_LOCATIONS.includes(param.in as (typeof PARAMETER_LOCATIONS)[number])) {
      const got = param.in === undefined ? 'missing' : `'${String(param.in)}'`;
      findings.push(
        findingAt(
          RULE,
          source,
          [...pointer, 'in'],
          `${label}: in is ${got}; set it to one of ${PARAMETER_LOCATIONS.join(', ')}`,
        ),
      );
    }
    if (param.in === 'path' && param.required !== true) {
      findings.push(
        findingAt(
          RULE,
          source,
          [...pointer, 'required'],
          `${label} is in the path, so it must have required: true`,
        ),
      );
    }
    const schema = resolveRef(doc, param.schema, [...pointer, 'schema']);
    const type = schema && isObj(schema.value) ? schema.value.type : undefined;
    if (type === 'object') {
      findings.push(
        findingAt(
          RULE,
          source,
          [...(schema?.pointer ?? pointer), 'type'],
          `${label} has type object; Bedrock passes each parameter as one string value, so use one of ${PARAMETER_TYPES.join(', ')} (or move it into the request body)`,
        ),
      );
    }
  }
  for (const operation of eachOperation(doc)) {
    const seen = new Set<string>();
    const own = Array.isArray(operation.op.parameters) ? operation.op.parameters : [];
    own.forEach((entry, i) => {
      const target = resolveRef(doc, entry, [...operation.pointer, 'parameters', i]);
      if (!target || !isObj(target.value)) return;
      const key = `${String(target.value.in)}:${String(target.value.name)}`;
      if (seen.has(key)) {
        findings.push(
          findingAt(
            RULE,
            source,
            [...operation.pointer, 'parameters', i],
            `${operationLabel(operation)} declares ${String(target.value.in)} parameter '${String(target.value.name)}' twice; remove the duplicate`,
          ),
        );
      }
      seen.add(key);
    });
  }
  return findings;
};
