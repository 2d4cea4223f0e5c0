/**
 * Which operations the caller runs itself on the AgentCore engine (inline functions), as the stack publishes them
 * (output `ClientTools`, the chat functions' `CLIENT_TOOLS`): the tool Lambda of each action group, and the
 * operations among them that change nothing and run without asking.
 */
export interface ClientTools {
  /** Action group → Lambda function name. */
  readonly functions: Readonly<Record<string, string>>;
  /** `<group>___<operationId>` of the read-only ones. */
  readonly readOnly: readonly string[];
}

const isStringMap = (v: unknown): v is Record<string, string> =>
  typeof v === 'object' &&
  v !== null &&
  !Array.isArray(v) &&
  Object.values(v).every((x) => typeof x === 'string');

/** Parses the published JSON; throws a message naming the problem (a deploy that forgot it fails at cold start). */
export function parseClientTools(text: string): ClientTools {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error('ClientTools is not JSON');
  }
  const { functions, readOnly } = (parsed ?? {}) as { functions?: unknown; readOnly?: unknown };
  if (!isStringMap(functions) || !Array.isArray(readOnly) || !readOnly.every((x) => typeof x === 'string')) {
    throw new Error('ClientTools must be {"functions": {group: name}, "readOnly": [names]}');
  }
  return { functions, readOnly };
}
