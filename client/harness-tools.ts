import type { HarnessContentBlock } from '@aws-sdk/client-bedrock-agentcore';
import type { DocumentType } from '@smithy/types';
import { AgentValidationError } from './errors';
import type { AgentEvent, FunctionCall, Reference, ReturnControlInput, ToolArgument } from './events';

/**
 * The AgentCore harness's tools as the client sees them: names (`<group>___<operation>`), arguments in the
 * `{name, type, value}` form both engines show and store, the knowledge tool's passages, and running an inline
 * function on the caller's side.
 */

/** The gateway joins target and tool as `<target>___<tool>` (the inline functions use the same names). */
export const TOOL_SEPARATOR = '___';

/** The knowledge tool's name behind the gateway; its results become citations. */
export const KNOWLEDGE_TOOL_NAME = `kb${TOOL_SEPARATOR}search`;

/** A tool call the caller runs (an inline function): the operation and its arguments, as the model sent them. */
export interface ClientToolCall {
  /** `<group>___<operationId>` */
  readonly name: string;
  readonly group: string;
  readonly operationId: string;
  readonly input: Readonly<Record<string, unknown>>;
}

/** What running a client-side tool gave: the JSON text the model reads, and whether it failed. */
export interface ClientToolResult {
  readonly isError: boolean;
  readonly text: string;
}

/** Runs the caller's side of an inline function (the chat API invokes the tool Lambda). */
export type ClientToolRunner = (
  call: ClientToolCall,
  context: { readonly identityToken?: string; readonly sessionId: string },
) => Promise<ClientToolResult>;

/** `<group>___<operationId>`, or the name as is; a server prefix (`kass/…`) is dropped. */
export function splitToolName(raw: string): { group: string; operation: string } {
  const name = raw.slice(raw.lastIndexOf('/') + 1);
  const at = name.lastIndexOf(TOOL_SEPARATOR);
  return at < 0
    ? { group: '', operation: name }
    : { group: name.slice(0, at), operation: name.slice(at + TOOL_SEPARATOR.length) };
}

const jsonType = (value: unknown): string =>
  Array.isArray(value)
    ? 'array'
    : typeof value === 'number'
      ? Number.isInteger(value)
        ? 'integer'
        : 'number'
      : typeof value === 'boolean'
        ? 'boolean'
        : typeof value === 'object' && value !== null
          ? 'object'
          : 'string';

/** Arguments as `{name, type, value}` strings (how calls are shown, stored and confirmed on both engines). */
export const toArguments = (input: Readonly<Record<string, unknown>>): ToolArgument[] =>
  Object.entries(input).map(([name, value]) => ({
    name,
    type: jsonType(value),
    value: typeof value === 'string' ? value : JSON.stringify(value),
  }));

/** The model's JSON input back from `{name, type, value}` strings (stored confirmations keep only those). */
export function fromArguments(args: readonly ToolArgument[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { name, type, value } of args) {
    if (type === 'string') out[name] = value;
    else {
      try {
        out[name] = JSON.parse(value);
      } catch {
        out[name] = value;
      }
    }
  }
  return out;
}

export const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

/** The passages of a knowledge-tool result as references (uri, text, source type). */
export function knowledgeReferences(text: string): Reference[] {
  const parsed = parseJson(text) as { results?: unknown } | undefined;
  const results = Array.isArray(parsed?.results) ? parsed.results : [];
  return results.flatMap((r): Reference[] => {
    if (typeof r !== 'object' || r === null) return [];
    const { uri, text: passage, sourceType } = r as Record<string, unknown>;
    return [
      {
        ...(typeof uri === 'string' ? { uri } : {}),
        ...(typeof sourceType === 'string' ? { sourceType } : {}),
        ...(typeof passage === 'string' ? { text: passage } : {}),
      },
    ];
  });
}

/** Runs (or refuses) one inline call and yields its toolResult event; returns the harness toolResult block. */
export async function* runInlineCall(
  runner: ClientToolRunner | undefined,
  call: FunctionCall,
  confirmed: boolean,
  invocationId: string,
  sessionId: string,
  identityToken: string | undefined,
): AsyncGenerator<AgentEvent, HarnessContentBlock, undefined> {
  const toolUseId = call.toolUseId ?? '';
  let result: ClientToolResult;
  let error: Error | undefined;
  if (!confirmed) {
    result = {
      isError: true,
      text: JSON.stringify({
        error:
          'The user did not confirm this action; it was not run. Do not retry it unless the user asks again.',
      }),
    };
  } else if (!runner) {
    result = { isError: true, text: JSON.stringify({ error: 'This tool cannot run here.' }) };
    error = new Error(`No tool runner for ${call.actionGroup}${TOOL_SEPARATOR}${call.function}`);
  } else {
    try {
      result = await runner(
        {
          name: `${call.actionGroup}${TOOL_SEPARATOR}${call.function}`,
          group: call.actionGroup,
          operationId: call.function,
          input: fromArguments(call.parameters),
        },
        { sessionId, ...(identityToken ? { identityToken } : {}) },
      );
    } catch (caught) {
      error = caught instanceof Error ? caught : new Error(String(caught));
      result = { isError: true, text: JSON.stringify({ error: 'The tool failed. Try again later.' }) };
    }
  }
  yield {
    type: 'toolResult',
    invocationId,
    input: call,
    status: result.isError ? (confirmed ? 500 : 200) : 200,
    ...(confirmed ? { body: result.text } : {}),
    ...(call.invocationType !== 'RESULT'
      ? { confirmation: confirmed ? ('CONFIRM' as const) : ('DENY' as const) }
      : {}),
    ...(error ? { error } : {}),
  };
  const parsed = parseJson(result.text);
  return {
    toolResult: {
      toolUseId,
      content: [
        parsed !== undefined && typeof parsed === 'object' && parsed !== null
          ? { json: parsed as DocumentType }
          : { text: result.text },
      ],
      status: result.isError ? 'error' : 'success',
    },
  };
}

/** A tool use in the stream: its id, the tool's name and its JSON input as it streamed. */
export interface ToolUseBlock {
  readonly toolUseId: string;
  readonly name: string;
  input: string;
}

/** A stored or yielded call (answering a confirmation) as the function call it is (`{name, type, value}` form). */
export function asInlineCall(input: ReturnControlInput): FunctionCall {
  if (input.kind !== 'function' || !input.toolUseId) {
    throw new AgentValidationError(
      'returnControlResults of an AgentCore turn must answer its inline function calls (toolUseId)',
      { exceptionName: 'InvalidParameter' },
    );
  }
  return input;
}

/** A tool use the harness left to the caller, as a function call (read-only tools need no confirmation). */
export function inlineCallOf(use: ToolUseBlock, readOnly: ReadonlySet<string>): FunctionCall {
  const { group, operation } = splitToolName(use.name);
  const input = parseJson(use.input || '{}');
  return {
    kind: 'function',
    actionGroup: group,
    function: operation,
    parameters: toArguments(
      typeof input === 'object' && input !== null && !Array.isArray(input)
        ? (input as Record<string, unknown>)
        : {},
    ),
    invocationType: readOnly.has(use.name) ? 'RESULT' : 'USER_CONFIRMATION',
    toolUseId: use.toolUseId,
  };
}
