import { type Finding, findingAt, type SchemaRule } from './finding';
import { eachOperation, effectiveParameters, isObj, operationLabel } from './walk';

const RULE = 'paths-present';

const templateNames = (path: string): string[] => [...path.matchAll(/\{([^}]*)\}/g)].map((m) => m[1] ?? '');

/**
 * `paths` exists with at least one path; every path starts with `/`; every `{name}` in a path template is
 * declared as an `in: path` parameter of each of its operations, and every `in: path` parameter is in the template.
 */
export const pathsPresent: SchemaRule = (source) => {
  const doc = source.document;
  const paths = isObj(doc) ? doc.paths : undefined;
  if (!isObj(paths) || Object.keys(paths).length === 0) {
    const message =
      paths === undefined
        ? 'paths is missing; add `paths:` with at least one operation (Bedrock requires it)'
        : 'paths must be a mapping with at least one path such as `/tickets:`';
    return [findingAt(RULE, source, ['paths'], message)];
  }
  const findings: Finding[] = [];
  const reported = new Set<string>();
  for (const path of Object.keys(paths)) {
    if (!path.startsWith('/')) {
      findings.push(
        findingAt(RULE, source, ['paths', path], `path '${path}' must start with '/'; write '/${path}'`),
      );
    }
  }
  for (const operation of eachOperation(doc)) {
    const declared = effectiveParameters(doc, operation).filter(({ param }) => param.in === 'path');
    const declaredNames = new Set(declared.map(({ param }) => String(param.name)));
    const inTemplate = templateNames(operation.path);
    for (const name of inTemplate) {
      if (declaredNames.has(name)) continue;
      findings.push(
        findingAt(
          RULE,
          source,
          operation.pointer,
          `${operationLabel(operation)} uses {${name}} in its path but declares no \`in: path\` parameter '${name}'; ` +
            `add one with name: ${name}, in: path, required: true, description and schema`,
        ),
      );
    }
    for (const { param, pointer } of declared) {
      const where = pointer.join('/');
      if (inTemplate.includes(String(param.name)) || reported.has(where)) continue;
      reported.add(where);
      findings.push(
        findingAt(
          RULE,
          source,
          pointer,
          `path parameter '${String(param.name)}' of ${operationLabel(operation)} is not in the path template; ` +
            `add {${String(param.name)}} to the path or make it a query parameter`,
        ),
      );
    }
  }
  return findings;
};
