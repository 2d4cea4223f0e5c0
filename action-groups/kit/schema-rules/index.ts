import { parseSchemaSource, type SchemaSource, SchemaSyntaxError } from '../openapi/document';
import { descriptionLengths } from './description-lengths';
import type { Finding, RuleContext, SchemaRule } from './finding';
import { gatewayCompatible } from './gateway-compatible';
import { gatewayNames } from './gateway-names';
import { gatewayToolCount, type SchemaSetRule } from './gateway-tool-count';
import { infoPresent } from './info-present';
import { maxOperations } from './max-operations';
import { namesPattern } from './names-pattern';
import { noEnum } from './no-enum';
import { openapiVersion } from './openapi-version';
import { operationId } from './operation-id';
import { operationRequiredFields } from './operation-required-fields';
import { parameterFields } from './parameter-fields';
import { pathsPresent } from './paths-present';
import { requestBody } from './request-body';
import { requireConfirmationOnWrites } from './require-confirmation-on-writes';
import { schemaKeywords } from './schema-keywords';
import { schemaTypes } from './schema-types';
import { toolNameLength } from './tool-name-length';

export type { Finding, RuleContext, SchemaRule } from './finding';

/** Every Bedrock action-group schema rule, by id. The id is also the rule's file name. */
export const ALL_RULES: Readonly<Record<string, SchemaRule>> = {
  'openapi-version': openapiVersion,
  'info-present': infoPresent,
  'paths-present': pathsPresent,
  'operation-required-fields': operationRequiredFields,
  'operation-id': operationId,
  'names-pattern': namesPattern,
  'tool-name-length': toolNameLength,
  'max-operations': maxOperations,
  'no-enum': noEnum,
  'parameter-fields': parameterFields,
  'request-body': requestBody,
  'require-confirmation-on-writes': requireConfirmationOnWrites,
  'description-lengths': descriptionLengths,
  'schema-types': schemaTypes,
  'schema-keywords': schemaKeywords,
  'gateway-names': gatewayNames,
  'gateway-compatible': gatewayCompatible,
};

/** Rules over all schema files together, by id (the id is the rule's file name). */
export const SET_RULES: Readonly<Record<string, SchemaSetRule>> = {
  'gateway-tool-count': gatewayToolCount,
};

/** The rule id of the single finding reported for text that is not valid YAML/JSON. */
export const SYNTAX_RULE = 'yaml-syntax';

/**
 * The action-group name Bedrock will see for a schema file: its base name without extension.
 * @param file a path such as `schemas/code-review.yaml`
 * @returns e.g. `code-review`
 */
export const groupOfFile = (file: string): string => {
  const base = file.split(/[\\/]/).pop() ?? file;
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
};

const byLine = (a: Finding, b: Finding): number =>
  a.line - b.line || a.rule.localeCompare(b.rule) || a.pointer.localeCompare(b.pointer);

/**
 * Runs every rule over a parsed schema.
 * @returns the findings sorted by line (then rule id)
 */
export function checkSchemaSource(source: SchemaSource, context: RuleContext): Finding[] {
  return Object.values(ALL_RULES)
    .flatMap((rule) => rule(source, context))
    .sort(byLine);
}

/**
 * Checks the text of an action-group schema against every Bedrock rule.
 * @param text YAML or JSON
 * @param file the name used in findings (and, by default, for the action-group name)
 * @param group the action-group name; defaults to the file's base name without extension
 * @returns the findings sorted by line; a syntax error is a single `yaml-syntax` finding at its line
 */
export function checkSchemaText(text: string, file: string, group: string = groupOfFile(file)): Finding[] {
  let source: SchemaSource;
  try {
    source = parseSchemaSource(text, file);
  } catch (err) {
    if (!(err instanceof SchemaSyntaxError)) throw err;
    const detail = err.message.replace(`${file}:${err.line}: `, '');
    return [
      {
        rule: SYNTAX_RULE,
        file,
        line: err.line,
        pointer: '',
        message: `${detail}; fix the YAML syntax at this line (indentation, quoting, a ':' inside an unquoted value)`,
      },
    ];
  }
  return checkSchemaSource(source, { group });
}

/**
 * Checks several schema files as the set they form (`schemas/`: one gateway carries all their tools): every
 * rule per file, then the set rules over the files that parse.
 * @returns each file's findings in file order, then the set findings
 */
export function checkSchemaSet(
  files: readonly { readonly text: string; readonly file: string }[],
): Finding[] {
  const perFile = files.flatMap(({ text, file }) => checkSchemaText(text, file));
  const sources = files.flatMap(({ text, file }) => {
    try {
      return [parseSchemaSource(text, file)];
    } catch (err) {
      if (err instanceof SchemaSyntaxError) return [];
      throw err;
    }
  });
  return [...perFile, ...Object.values(SET_RULES).flatMap((rule) => rule(sources))];
}
