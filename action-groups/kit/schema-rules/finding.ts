import type { Pointer, SchemaSource } from '../openapi/document';

/** One broken Bedrock rule, located in the schema file (`report.yaml:12`). */
export interface Finding {
  /** The rule id, which is also the rule's file name, e.g. `no-enum`. */
  readonly rule: string;
  readonly file: string;
  /** 1-based line of the offending node (or of its nearest existing parent when a field is missing). */
  readonly line: number;
  /** RFC 6901 JSON pointer of the offending node, e.g. `/paths/~1tickets/post/x-requireConfirmation`. */
  readonly pointer: string;
  /** What is wrong and how to fix it. */
  readonly message: string;
}

export interface RuleContext {
  /** The action-group name; Bedrock builds tool names from it. By convention the schema's file name. */
  readonly group: string;
}

/** A pure check of one Bedrock rule over a parsed schema document. */
export type SchemaRule = (source: SchemaSource, context: RuleContext) => Finding[];

/**
 * Formats a pointer given as keys and indexes as an RFC 6901 JSON pointer.
 * @param pointer keys and indexes from the document root
 * @returns e.g. `/paths/~1tickets/get` for `['paths', '/tickets', 'get']`
 */
export const toJsonPointer = (pointer: Pointer): string =>
  pointer.map((key) => `/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');

/**
 * Builds a finding located at `pointer` in `source`.
 * @param rule the rule id
 * @param source the parsed schema
 * @param pointer where the problem is (a missing field points at itself; its line is the parent's)
 * @param message what is wrong and how to fix it
 */
export const findingAt = (
  rule: string,
  source: SchemaSource,
  pointer: Pointer,
  message: string,
): Finding => ({
  rule,
  file: source.file,
  line: source.lineOf(pointer),
  pointer: toJsonPointer(pointer),
  message,
});
