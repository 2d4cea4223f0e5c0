import { findingAt, type SchemaRule } from './finding';
import { isObj } from './walk';

const RULE = 'openapi-version';

/** `openapi` must be exactly the string `3.0.0`: "(Required) This value must be "3.0.0" for the action group to work." */
export const openapiVersion: SchemaRule = (source) => {
  const doc = source.document;
  const value = isObj(doc) ? doc.openapi : undefined;
  if (value === '3.0.0') return [];
  const message =
    value === undefined
      ? 'openapi is missing; add `openapi: 3.0.0` as the first line (Bedrock accepts only 3.0.0)'
      : typeof value === 'string'
        ? `openapi is '${value}'; Bedrock action groups accept only 3.0.0: write \`openapi: 3.0.0\``
        : `openapi is the ${typeof value} ${String(value)}, not the string '3.0.0'; write \`openapi: 3.0.0\``;
  return [findingAt(RULE, source, ['openapi'], message)];
};
