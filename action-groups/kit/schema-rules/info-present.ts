import { findingAt, type SchemaRule } from './finding';
import { isObj } from './walk';

const RULE = 'info-present';

/** `info` with a non-empty string `title` and `version`, as OpenAPI 3.0 requires. */
export const infoPresent: SchemaRule = (source) => {
  const doc = source.document;
  const info = isObj(doc) ? doc.info : undefined;
  if (!isObj(info)) {
    const message =
      info === undefined
        ? 'info is missing; add `info:` with `title` and `version` (e.g. version: 1.0.0)'
        : 'info must be a mapping with `title` and `version`';
    return [findingAt(RULE, source, ['info'], message)];
  }
  return (['title', 'version'] as const).flatMap((field) => {
    const value = info[field];
    if (typeof value === 'string' && value.trim() !== '') return [];
    const message =
      value === undefined
        ? `info.${field} is missing; add it (OpenAPI requires info.title and info.version)`
        : typeof value === 'string'
          ? `info.${field} is empty; give it a value`
          : `info.${field} is a ${typeof value}, not a string; quote it (e.g. ${field}: '${String(value)}')`;
    return [findingAt(RULE, source, ['info', field], message)];
  });
};
