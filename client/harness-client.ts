import { createHash } from 'node:crypto';
import {
  BedrockAgentCoreClient,
  type HarnessContentBlock,
  type HarnessMessage,
  InvokeHarnessCommand,
  type InvokeHarnessCommandInput,
  type InvokeHarnessStreamOutput,
} from '@aws-sdk/client-bedrock-agentcore';
import type { DocumentType } from '@smithy/types';
import type { AgentAnswer, AskInput, ChatEngine, TurnInput } from './chat-engine';
import { collectAnswer } from './collect';
import { AgentError, AgentValidationError, isAbortError, toAgentError } from './errors';
import type {
  AgentEvent,
  Citation,
  FunctionCall,
  PendingReturnControl,
  Reference,
  ReturnControlInput,
  ToolArgument,
  TraceStep,
  Usage,
} from './events';
import type { GuardrailCheck } from './guardrail';
import {
  abortableSleep,
  abortError,
  backoffDelay,
  DEFAULT_RETRY,
  type RetryNotice,
  type RetryOptions,
} from './retry';
import { isValidSessionId, newSessionId, Session, type SessionOptions } from './session';

/** The gateway joins target and tool as `<target>___<tool>` (the inline functions use the same names). */
const TOOL_SEPARATOR = '___';

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

export interface HarnessClientOptions {
  /** The harness: stack output `HarnessArn`. */
  readonly harnessArn: string;
  /** The endpoint: stack output `HarnessEndpointName`. @default the harness's DEFAULT endpoint */
  readonly qualifier?: string;
  /**
   * The SDK client. Default: one from the standard configuration (credentials chain, region,
   * `AWS_ENDPOINT_URL_BEDROCK_AGENTCORE`).
   */
  readonly client?: BedrockAgentCoreClient;
  readonly region?: string;
  /** How long the stream may stay silent before the turn fails with a `TimeoutError`. @default 180_000 */
  readonly requestTimeoutMs?: number;
  readonly retry?: RetryOptions;
  readonly onRetry?: (notice: RetryNotice) => void;
  /**
   * The guardrail on the answer (ApplyGuardrail OUTPUT), as the Classic agent applies its guardrail. The harness
   * cannot retract streamed text, so with a guardrail the answer is held until it has been checked and then
   * yielded in one piece: the checked (possibly masked) text, or the guardrail's blocked message.
   * @default no output guardrail
   */
  readonly outputGuardrail?: GuardrailCheck;
  /**
   * Signs the turn's session attributes (`userId`, `conversationId`, …) for the tools; the token travels as the
   * `baggage` header and in the client context of client-side tools. @default no identity
   */
  readonly signIdentity?: (attributes: Readonly<Record<string, string>>) => Promise<string>;
  /** Runs inline functions (writes after confirmation, or every operation on `clientSideTools: all`). */
  readonly toolRunner?: ClientToolRunner;
  /** Inline functions that change nothing and run without asking (`<group>___<operationId>`). @default none */
  readonly readOnlyTools?: readonly string[];
  /** Most rounds of inline functions in one turn, a guard against a loop. @default 10 */
  readonly maxToolRounds?: number;
}

const DEFAULT_TIMEOUT_MS = 180_000;

/**
 * A runtime session id (33–256 characters) for any KASS session id: a UUID (36 characters) or another id of at
 * least 33 letters, digits and dashes is used as it is; anything shorter or with other characters maps to
 * `kass-<40 hex of its SHA-256>`, the same every time, so a conversation keeps its harness session.
 */
export function harnessSessionId(sessionId: string): string {
  return /^[0-9a-zA-Z-]{33,256}$/.test(sessionId)
    ? sessionId
    : `kass-${createHash('sha256').update(sessionId, 'utf8').digest('hex').slice(0, 40)}`;
}

const invalid = (message: string) => new AgentValidationError(message, { exceptionName: 'InvalidParameter' });

/** `<group>___<operationId>`, or the name as is; a server prefix (`kass/…`) is dropped. */
function splitToolName(raw: string): { group: string; operation: string } {
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
const toArguments = (input: Readonly<Record<string, unknown>>): ToolArgument[] =>
  Object.entries(input).map(([name, value]) => ({
    name,
    type: jsonType(value),
    value: typeof value === 'string' ? value : JSON.stringify(value),
  }));

/** The model's JSON input back from `{name, type, value}` strings (stored confirmations keep only those). */
function fromArguments(args: readonly ToolArgument[]): Record<string, unknown> {
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

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

/** The passages of a knowledge-tool result as references (uri, text, source type). */
function knowledgeReferences(text: string): Reference[] {
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

interface ToolUseBlock {
  readonly toolUseId: string;
  readonly name: string;
  input: string;
}

/** What one InvokeHarness call produced. */
interface CallResult {
  readonly text: string;
  readonly stopReason?: string;
  /** Tool uses without a result in the stream: inline functions waiting for the caller. */
  readonly pending: readonly ToolUseBlock[];
  readonly hookDenial?: string;
}

interface TurnState {
  yielded: boolean;
  readonly usage: { inputTokens: number; outputTokens: number; modelCalls: number };
  readonly signal: AbortSignal;
  readonly citations: Citation[];
}

const STOP_FAILURES: Readonly<Record<string, string>> = {
  max_iterations_exceeded: 'The agent reached its step limit without an answer.',
  timeout_exceeded: 'The agent ran out of time without an answer.',
};

/**
 * `ChatEngine` over an AgentCore harness (`InvokeHarness`), producing the same events as `AgentClient`: text,
 * trace steps for tool calls, tool outputs and knowledge lookups, citations from the knowledge tool, usage from
 * the metadata events, confirmations for inline functions, and `done`. Errors are `AgentError`s; throttling is
 * retried only before anything was yielded (see `AgentClient`).
 */
export class HarnessClient implements ChatEngine {
  private readonly sdk: BedrockAgentCoreClient;
  private readonly ownsClient: boolean;
  private readonly readOnly: ReadonlySet<string>;

  constructor(private readonly options: HarnessClientOptions) {
    if (!/^arn:[^:]+:bedrock-agentcore:[^:]+:\d{12}:harness\/.+/.test(options.harnessArn)) {
      throw invalid(
        `harnessArn must be a harness ARN (arn:…:bedrock-agentcore:<region>:<account>:harness/…), got "${options.harnessArn}"`,
      );
    }
    this.ownsClient = options.client === undefined;
    this.sdk = options.client ?? HarnessClient.defaultSdkClient(options);
    this.readOnly = new Set(options.readOnlyTools ?? []);
  }

  /** The SDK client with the standard configuration; retries are the HarnessClient's own (see AgentClient). */
  static defaultSdkClient(options: Pick<HarnessClientOptions, 'region' | 'requestTimeoutMs'> = {}) {
    const timeout = options.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    return new BedrockAgentCoreClient({
      ...(options.region ? { region: options.region } : {}),
      maxAttempts: 1,
      requestHandler: { requestTimeout: timeout + 30_000 },
    });
  }

  session(options?: SessionOptions): Session {
    return new Session(this, options);
  }

  ask(input: AskInput): Promise<AgentAnswer> {
    return collectAnswer(this.stream(input), input.onConfirmation);
  }

  async region(): Promise<string | undefined> {
    try {
      return await this.sdk.config.region();
    } catch {
      return undefined;
    }
  }

  destroy(): void {
    if (this.ownsClient) this.sdk.destroy();
  }

  async *stream(input: TurnInput): AsyncGenerator<AgentEvent, void, undefined> {
    const sessionId = input.sessionId ?? newSessionId();
    if (!isValidSessionId(sessionId)) {
      throw invalid(`sessionId must be 2–100 characters of 0-9 a-z A-Z . _ : - (got "${sessionId}")`);
    }
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    if (input.signal?.aborted) controller.abort();
    input.signal?.addEventListener('abort', onAbort, { once: true });
    const turn: TurnState = {
      yielded: false,
      usage: { inputTokens: 0, outputTokens: 0, modelCalls: 0 },
      signal: controller.signal,
      citations: [],
    };
    const attributes = input.sessionAttributes ?? {};
    const identityToken =
      this.options.signIdentity && Object.keys(attributes).length > 0
        ? await this.options.signIdentity(attributes)
        : undefined;
    const base: Omit<InvokeHarnessCommandInput, 'messages'> = {
      harnessArn: this.options.harnessArn,
      ...(this.options.qualifier ? { qualifier: this.options.qualifier } : {}),
      runtimeSessionId: harnessSessionId(sessionId),
      ...(identityToken ? { baggage: `kass-identity=${identityToken}` } : {}),
      ...(input.memoryId ? { actorId: input.memoryId } : {}),
    };
    const done = (pending?: PendingReturnControl): AgentEvent => ({
      type: 'done',
      sessionId,
      ...(input.memoryId ? { memoryId: input.memoryId } : {}),
      usage: { ...turn.usage } as Usage,
      ...(pending ? { pendingReturnControl: pending } : {}),
    });
    if (input.endSession) {
      // A harness session has no "end" call of its own: it ends after its idle timeout (the stage's
      // idleSessionTtlMinutes). Sending the closing text to the model would only start another turn.
      yield done();
      return;
    }
    const maxRounds = this.options.maxToolRounds ?? 10;
    let answer = '';
    // Text already yielded as it streamed (no output guardrail), so release() adds only what it changed.
    let streamed = this.options.outputGuardrail === undefined;
    let checked = this.options.outputGuardrail !== undefined;
    try {
      let messages: HarnessMessage[];
      if (input.returnControlResults) {
        const { invocationId, results } = input.returnControlResults;
        if (results.length === 0) throw invalid('returnControlResults needs at least one result');
        const calls = results.map((r) => ({ call: this.asCall(r.input), confirmation: r.confirmation }));
        const content: HarnessContentBlock[] = [];
        for (const { call, confirmation } of calls) {
          const ran = yield* this.runCall(
            call,
            confirmation === 'CONFIRM',
            invocationId,
            sessionId,
            identityToken,
          );
          content.push(ran);
        }
        turn.yielded = true;
        messages = [{ role: 'user', content }];
      } else {
        messages = [{ role: 'user', content: [{ text: input.text }] }];
      }
      for (let round = 0; ; round++) {
        const result = yield* this.call({ ...base, messages }, turn);
        answer += result.text;
        if (result.hookDenial !== undefined) {
          // The input guardrail stopped the turn: its blocked message is the answer, as on Classic.
          answer = result.hookDenial;
          streamed = false;
          checked = false;
          break;
        }
        const failure = result.stopReason ? STOP_FAILURES[result.stopReason] : undefined;
        if (failure)
          throw new AgentError(failure, {
            exceptionName: result.stopReason === 'timeout_exceeded' ? 'TimeoutExceeded' : 'IterationLimit',
          });
        if (result.stopReason !== 'tool_use' || result.pending.length === 0) break;
        if (round >= maxRounds) {
          throw new AgentError(
            `The agent asked for client-side tools more than ${maxRounds} times in one turn.`,
            {
              exceptionName: 'ReturnControlLimit',
            },
          );
        }
        const invocationId = result.pending.map((p) => p.toolUseId).join(' ');
        const pendingInputs = result.pending.map((use) => this.toInput(use));
        const needsConfirmation = pendingInputs.some((i) => i.invocationType !== 'RESULT');
        const deferred = input.deferConfirmations === true && needsConfirmation;
        turn.yielded = true;
        yield {
          type: 'returnControl',
          invocationId,
          inputs: pendingInputs,
          handled: !deferred && this.options.toolRunner !== undefined,
        };
        if (deferred || !this.options.toolRunner) {
          yield* this.release(answer, turn, streamed, checked);
          yield done({ invocationId, inputs: pendingInputs });
          return;
        }
        const content: HarnessContentBlock[] = [];
        for (const call of pendingInputs) {
          let confirmed = true;
          if (call.invocationType !== 'RESULT') {
            const decision: { value?: boolean } = {};
            yield {
              type: 'confirmation',
              invocationId,
              input: call,
              confirm: () => {
                decision.value = true;
              },
              deny: () => {
                decision.value = false;
              },
            };
            confirmed = decision.value === true;
          }
          content.push(yield* this.runCall(call, confirmed, invocationId, sessionId, identityToken));
        }
        messages = [{ role: 'user', content }];
      }
      yield* this.release(answer, turn, streamed, checked);
      yield done();
    } finally {
      input.signal?.removeEventListener('abort', onAbort);
      controller.abort();
    }
  }

  /** The answer after the output guardrail, then the citations gathered from the knowledge tool. */
  private async *release(
    text: string,
    turn: TurnState,
    streamed: boolean,
    check: boolean,
  ): AsyncGenerator<AgentEvent, void, undefined> {
    let shown = streamed ? '' : text;
    if (check && this.options.outputGuardrail && text.trim() !== '') {
      const verdict = await this.options.outputGuardrail('OUTPUT', text);
      shown = verdict.text;
      if (verdict.intervened) {
        yield {
          type: 'trace',
          step: {
            kind: 'guardrail',
            phase: 'guardrail',
            action: 'INTERVENED',
            assessments: [verdict.blocked ? 'output BLOCKED' : 'output MASKED'],
          },
        };
      }
      if (verdict.blocked) turn.citations.length = 0;
    }
    if (shown) {
      turn.yielded = true;
      yield { type: 'text', text: shown };
    }
    for (const citation of turn.citations) yield { type: 'citation', citation };
  }

  /** A stored or yielded call as the function call it is (kept in `{name, type, value}` form). */
  private asCall(input: ReturnControlInput): FunctionCall {
    if (input.kind !== 'function' || !input.toolUseId) {
      throw invalid(
        'returnControlResults of an AgentCore turn must answer its inline function calls (toolUseId)',
      );
    }
    return input;
  }

  private toInput(use: ToolUseBlock): FunctionCall {
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
      invocationType: this.readOnly.has(use.name) ? 'RESULT' : 'USER_CONFIRMATION',
      toolUseId: use.toolUseId,
    };
  }

  /** Runs (or refuses) one inline call and yields its toolResult event; returns the harness toolResult block. */
  private async *runCall(
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
    } else if (!this.options.toolRunner) {
      result = { isError: true, text: JSON.stringify({ error: 'This tool cannot run here.' }) };
      error = new Error(`No tool runner for ${call.actionGroup}${TOOL_SEPARATOR}${call.function}`);
    } else {
      try {
        result = await this.options.toolRunner(
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

  /** One InvokeHarness call with retries before anything was yielded, and an idle watchdog. */
  private async *call(
    request: InvokeHarnessCommandInput,
    turn: TurnState,
  ): AsyncGenerator<AgentEvent, CallResult, undefined> {
    const maxAttempts = Math.max(1, this.options.retry?.maxAttempts ?? DEFAULT_RETRY.maxAttempts);
    const timeoutMs = this.options.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    for (let attempt = 1; ; attempt++) {
      const watchdog = new AbortController();
      let timedOut = false;
      let timer: NodeJS.Timeout | undefined;
      const arm = () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          timedOut = true;
          watchdog.abort();
        }, timeoutMs);
      };
      const onTurnAbort = () => watchdog.abort();
      turn.signal.addEventListener('abort', onTurnAbort, { once: true });
      let consumerFailed = false;
      try {
        arm();
        const response = await this.sdk.send(new InvokeHarnessCommand(request), {
          abortSignal: watchdog.signal,
        });
        const reader = new StreamReader(turn, this.options.outputGuardrail === undefined);
        for await (const event of response.stream ?? []) {
          clearTimeout(timer);
          for (const out of reader.read(event)) {
            turn.yielded = true;
            consumerFailed = true;
            yield out;
            consumerFailed = false;
          }
          arm();
        }
        clearTimeout(timer);
        if (turn.signal.aborted) throw abortError();
        if (timedOut)
          throw new AgentError(`No response from the agent for ${Math.round(timeoutMs / 1000)} s.`, {
            exceptionName: 'TimeoutError',
          });
        return reader.result();
      } catch (error) {
        if (consumerFailed) throw error;
        if (turn.signal.aborted) throw abortError();
        if (timedOut)
          throw new AgentError(`No response from the agent for ${Math.round(timeoutMs / 1000)} s.`, {
            exceptionName: 'TimeoutError',
          });
        if (isAbortError(error)) throw error;
        const agentError = toAgentError(error, attempt);
        if (!agentError.retryable || turn.yielded || attempt >= maxAttempts) throw agentError;
        const delayMs = backoffDelay(attempt, this.options.retry);
        this.options.onRetry?.({ attempt, delayMs, error: agentError });
        await (this.options.retry?.sleep ?? abortableSleep)(delayMs, turn.signal);
      } finally {
        clearTimeout(timer);
        turn.signal.removeEventListener('abort', onTurnAbort);
      }
    }
  }
}

/**
 * Reads one InvokeHarness stream: text is kept (released after the guardrail), tool uses and results become trace
 * steps as their blocks close, knowledge results become citations, metadata becomes usage. Tool blocks are keyed by
 * toolUseId, not by block index (a stream may reuse an index across tool uses).
 */
class StreamReader {
  private text = '';
  private stopReason: string | undefined;
  private hookDenial: string | undefined;
  private readonly uses = new Map<string, ToolUseBlock>();
  private readonly answered = new Set<string>();
  private readonly blocks = new Map<
    number,
    { kind: 'use' | 'result'; id: string; output: string; status?: string }
  >();

  constructor(
    private readonly turn: TurnState,
    private readonly streamText: boolean,
  ) {}

  *read(event: InvokeHarnessStreamOutput): Generator<AgentEvent> {
    if (event.contentBlockDelta) {
      const { contentBlockIndex: index = 0, delta } = event.contentBlockDelta;
      if (delta?.text !== undefined) {
        this.text += delta.text;
        // Without an output guardrail the answer streams as it comes; with one it waits for the check.
        if (this.streamText && delta.text) yield { type: 'text', text: delta.text };
      }
      const block = this.blocks.get(index);
      if (delta?.toolUse?.input !== undefined && block?.kind === 'use') {
        const use = this.uses.get(block.id);
        if (use) use.input += delta.toolUse.input;
      }
      if (delta?.toolResult && block?.kind === 'result') {
        for (const part of delta.toolResult) {
          block.output += part.text ?? (part.json !== undefined ? JSON.stringify(part.json) : '');
        }
      }
      return;
    }
    if (event.contentBlockStart) {
      const { contentBlockIndex: index = 0, start } = event.contentBlockStart;
      if (start?.toolUse?.toolUseId) {
        const { toolUseId, name } = start.toolUse;
        if (!this.uses.has(toolUseId)) this.uses.set(toolUseId, { toolUseId, name: name ?? '', input: '' });
        this.blocks.set(index, { kind: 'use', id: toolUseId, output: '' });
      } else if (start?.toolResult?.toolUseId) {
        this.blocks.set(index, {
          kind: 'result',
          id: start.toolResult.toolUseId,
          output: '',
          ...(start.toolResult.status ? { status: start.toolResult.status } : {}),
        });
      }
      return;
    }
    if (event.contentBlockStop) {
      const index = event.contentBlockStop.contentBlockIndex ?? 0;
      const block = this.blocks.get(index);
      this.blocks.delete(index);
      if (block) yield* this.closed(block);
      return;
    }
    if (event.messageStop) {
      this.stopReason = event.messageStop.stopReason;
      return;
    }
    if (event.metadata) {
      const usage = event.metadata.usage;
      const step: TraceStep = {
        kind: 'usage',
        phase: 'orchestration',
        inputTokens: usage?.inputTokens ?? 0,
        outputTokens: usage?.outputTokens ?? 0,
      };
      this.turn.usage.inputTokens += step.inputTokens;
      this.turn.usage.outputTokens += step.outputTokens;
      this.turn.usage.modelCalls += 1;
      yield { type: 'trace', step };
      return;
    }
    if (event.hookEvent) {
      const { name, type, decision, reason } = event.hookEvent;
      if (decision === 'deny') {
        if (type === 'before_invocation') this.hookDenial = reason ?? 'The request was blocked.';
        yield {
          type: 'trace',
          step: {
            kind: 'guardrail',
            phase: 'guardrail',
            action: 'INTERVENED',
            assessments: [`hook ${name ?? '?'} (${type ?? '?'}): denied`],
          },
        };
      }
      return;
    }
    // In-stream exceptions are thrown by the SDK while iterating; this covers one handed over as a member.
    for (const [member, value] of Object.entries(event)) {
      if ((member.endsWith('Exception') || member.endsWith('Error')) && value) {
        const message = (value as { message?: unknown }).message;
        throw toAgentError({ name: member, message: typeof message === 'string' ? message : member });
      }
    }
  }

  private *closed(block: {
    kind: 'use' | 'result';
    id: string;
    output: string;
    status?: string;
  }): Generator<AgentEvent> {
    const use = this.uses.get(block.id);
    const { group, operation } = splitToolName(use?.name ?? '');
    if (block.kind === 'use' && use) {
      const input = parseJson(use.input || '{}');
      const record =
        typeof input === 'object' && input !== null && !Array.isArray(input)
          ? (input as Record<string, unknown>)
          : {};
      yield {
        type: 'trace',
        step: {
          kind: 'toolCall',
          phase: 'orchestration',
          traceId: block.id,
          actionGroup: group,
          function: operation,
          parameters: Object.fromEntries(toArguments(record).map((a) => [a.name, a.value])),
        },
      };
      return;
    }
    if (block.kind !== 'result') return;
    this.answered.add(block.id);
    yield {
      type: 'trace',
      step: {
        kind: 'toolOutput',
        phase: 'orchestration',
        traceId: block.id,
        actionGroup: group,
        output: block.output,
      },
    };
    if (`${group}${TOOL_SEPARATOR}${operation}` === KNOWLEDGE_TOOL_NAME && block.status !== 'error') {
      const references = knowledgeReferences(block.output);
      const query = parseJson(use?.input || '{}') as { query?: unknown } | undefined;
      yield {
        type: 'trace',
        step: {
          kind: 'knowledgeBase',
          phase: 'orchestration',
          traceId: block.id,
          query: typeof query?.query === 'string' ? query.query : '',
          references,
        },
      };
      if (references.length > 0) this.turn.citations.push({ text: '', references });
    }
  }

  result(): CallResult {
    return {
      text: this.text,
      ...(this.stopReason ? { stopReason: this.stopReason } : {}),
      ...(this.hookDenial !== undefined ? { hookDenial: this.hookDenial } : {}),
      pending: [...this.uses.values()].filter((u) => !this.answered.has(u.toolUseId)),
    };
  }
}
