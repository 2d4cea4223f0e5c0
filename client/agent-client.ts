import { TextDecoder } from 'node:util';
import {
  BedrockAgentRuntimeClient,
  type InvocationResultMember,
  InvokeAgentCommand,
  type InvokeAgentCommandInput,
  type ResponseStream,
  type SessionState,
} from '@aws-sdk/client-bedrock-agent-runtime';
import type { AgentAnswer, AskInput, ChatEngine, TurnInput } from './chat-engine';
import { collectAnswer } from './collect';
import { AgentError, AgentValidationError, isAbortError, toAgentError } from './errors';
import type { AgentEvent, PendingReturnControl } from './events';
import { IdleWatchdog } from './idle-watchdog';
import { toCitation } from './references';
import { abortableSleep, backoffDelay, DEFAULT_RETRY, type RetryNotice, type RetryOptions } from './retry';
import { toPendingReturnControl } from './return-control';
import { answerReturnControl, manualResults } from './return-control-run';
import { isValidSessionId, newSessionId, Session, type SessionOptions } from './session';
import { TraceNormalizer } from './trace';

export interface AgentClientOptions {
  /** The agent (≤ 10 letters or digits): stack output `AgentId`. */
  readonly agentId: string;
  /** The alias (≤ 10 letters or digits; `TSTALIASID` = the draft): stack output `AgentAliasId`. */
  readonly agentAliasId: string;
  /**
   * The SDK client to use. Default: one built from the SDK's standard configuration (credentials chain,
   * region, `AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME`) with `requestTimeoutMs`.
   */
  readonly client?: BedrockAgentRuntimeClient;
  /** Region of the default client. @default the SDK's region chain (AWS_REGION, profile) */
  readonly region?: string;
  /**
   * How long InvokeAgent may stay silent (no event) before the call fails with an `AgentError` named
   * `TimeoutError`. One model step or tool call can take over 60 s. @default 180_000
   */
  readonly requestTimeoutMs?: number;
  /** Retries of throttled / model-not-ready turns (see `stream`). */
  readonly retry?: RetryOptions;
  /** Called before each retry wait. */
  readonly onRetry?: (notice: RetryNotice) => void;
  /** Ask for trace events (steps and token usage). @default true */
  readonly trace?: boolean;
  /** Stream the final answer in several chunks. The agent role needs bedrock:InvokeModelWithResponseStream. @default true */
  readonly streamFinalResponse?: boolean;
  /** Most return-of-control rounds in one turn, a guard against a loop. @default 10 */
  readonly maxReturnControlRounds?: number;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 180_000;

const AGENT_ID = /^[0-9a-zA-Z]{1,10}$/;

function invalid(message: string): AgentValidationError {
  return new AgentValidationError(message, { exceptionName: 'InvalidParameter' });
}

/** Per-turn state shared by the calls of one turn. */
interface TurnState {
  /** Whether any event went to the caller: from then on, a failure is final (no retry). */
  yielded: boolean;
  memoryId?: string;
  sessionId: string;
  readonly trace: TraceNormalizer;
  readonly signal: AbortSignal;
}

/**
 * `ChatEngine` over a Classic Bedrock Agent (`InvokeAgent`).
 *
 * Retries: a `ThrottlingException` or `ModelNotReadyException` — thrown by the call or arriving in the
 * stream — is retried with full-jitter exponential backoff, but only while nothing of the turn has been
 * yielded to the caller. Once text, a trace step or a tool call went out, a retry would send the question
 * again: the caller would see a second, different answer after part of the first, and the agent could run
 * its tools (create a ticket) twice. Such a failure is thrown instead, and the caller decides.
 */
export class AgentClient implements ChatEngine {
  readonly agentId: string;
  readonly agentAliasId: string;
  private readonly sdk: BedrockAgentRuntimeClient;
  private readonly ownsClient: boolean;

  constructor(private readonly options: AgentClientOptions) {
    if (!AGENT_ID.test(options.agentId)) {
      throw invalid(`agentId must be 1–10 letters or digits (got "${options.agentId}")`);
    }
    if (!AGENT_ID.test(options.agentAliasId)) {
      throw invalid(`agentAliasId must be 1–10 letters or digits (got "${options.agentAliasId}")`);
    }
    this.agentId = options.agentId;
    this.agentAliasId = options.agentAliasId;
    this.ownsClient = options.client === undefined;
    this.sdk = options.client ?? AgentClient.defaultSdkClient(options);
  }

  /**
   * The SDK client with the standard configuration. InvokeAgent runs over HTTP/2 (`NodeHttp2Handler`), whose
   * `requestTimeout` (per-stream inactivity) and `sessionTimeout` (connection) are set above
   * `requestTimeoutMs` as a backstop: the turn's own watchdog (see `call`) fires first.
   *
   * `maxAttempts: 1`: the SDK reads the first stream event inside `send()`, so its own retry strategy would
   * also retry a throttling exception that arrives first in the stream, multiplying this client's attempts.
   * Retrying is left to `AgentClient` alone.
   */
  static defaultSdkClient(options: Pick<AgentClientOptions, 'region' | 'requestTimeoutMs'> = {}) {
    const timeout = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    return new BedrockAgentRuntimeClient({
      ...(options.region ? { region: options.region } : {}),
      maxAttempts: 1,
      requestHandler: {
        requestTimeout: timeout + 30_000,
        sessionTimeout: timeout + 60_000,
        disableConcurrentStreams: true,
      },
    });
  }

  /** A conversation with this agent. */
  session(options?: SessionOptions): Session {
    return new Session(this, options);
  }

  ask(input: AskInput): Promise<AgentAnswer> {
    return collectAnswer(this.stream(input), input.onConfirmation);
  }

  /** The region the SDK client calls (for messages); undefined when none is configured. */
  async region(): Promise<string | undefined> {
    try {
      return await this.sdk.config.region();
    } catch {
      return undefined;
    }
  }

  /** Closes the SDK client if this instance created it. */
  destroy(): void {
    if (this.ownsClient) this.sdk.destroy();
  }

  async *stream(input: TurnInput): AsyncGenerator<AgentEvent, void, undefined> {
    const sessionId = input.sessionId ?? newSessionId();
    if (!isValidSessionId(sessionId)) {
      throw invalid(`sessionId must be 2–100 characters of 0-9 a-z A-Z . _ : - (got "${sessionId}")`);
    }
    if (input.memoryId !== undefined && !isValidSessionId(input.memoryId)) {
      throw invalid(`memoryId must be 2–100 characters of 0-9 a-z A-Z . _ : - (got "${input.memoryId}")`);
    }
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    if (input.signal?.aborted) controller.abort();
    input.signal?.addEventListener('abort', onAbort, { once: true });
    const turn: TurnState = {
      yielded: false,
      sessionId,
      trace: new TraceNormalizer(),
      signal: controller.signal,
    };
    const maxRounds = this.options.maxReturnControlRounds ?? 10;
    try {
      let request = this.firstRequest(input, sessionId);
      // Attributes the handlers set, carried through the rest of the turn (as a Lambda tool's would be).
      let carried: Record<string, string> = {};
      for (let round = 0; ; round++) {
        const pending = yield* this.call(request, turn);
        if (!pending) break;
        if (round >= maxRounds) {
          throw new AgentError(`The agent returned control more than ${maxRounds} times in one turn.`, {
            exceptionName: 'ReturnControlLimit',
          });
        }
        const handlers = input.returnControlHandlers;
        const needsResults = pending.inputs.some((i) => i.invocationType !== 'USER_CONFIRMATION');
        const deferred =
          input.deferConfirmations === true && pending.inputs.some((i) => i.invocationType !== 'RESULT');
        turn.yielded = true;
        yield {
          type: 'returnControl',
          ...pending,
          handled: !deferred && (!needsResults || handlers !== undefined),
        };
        if (deferred || (needsResults && !handlers)) {
          yield this.done(turn, pending);
          return;
        }
        const current = { ...input, sessionAttributes: { ...input.sessionAttributes, ...carried } };
        const answered = yield* answerReturnControl(pending, current, handlers ?? {}, turn.sessionId);
        carried = { ...carried, ...answered.sessionAttributes };
        request = this.followUp(input, turn.sessionId, pending.invocationId, {
          results: answered.results,
          sessionAttributes: carried,
        });
      }
      turn.yielded = true;
      yield this.done(turn);
    } finally {
      input.signal?.removeEventListener('abort', onAbort);
      // Ends the HTTP/2 stream if the caller stopped iterating early.
      controller.abort();
    }
  }

  private done(turn: TurnState, pending?: PendingReturnControl): AgentEvent {
    return {
      type: 'done',
      sessionId: turn.sessionId,
      ...(turn.memoryId ? { memoryId: turn.memoryId } : {}),
      usage: turn.trace.usage,
      ...(pending ? { pendingReturnControl: pending } : {}),
    };
  }

  private baseRequest(input: TurnInput, sessionId: string): InvokeAgentCommandInput {
    return {
      agentId: this.agentId,
      agentAliasId: this.agentAliasId,
      sessionId,
      enableTrace: input.trace ?? this.options.trace ?? true,
      streamingConfigurations: {
        streamFinalResponse: input.streamFinalResponse ?? this.options.streamFinalResponse ?? true,
      },
      ...(input.memoryId ? { memoryId: input.memoryId } : {}),
    };
  }

  private attributes(input: TurnInput, extra: Readonly<Record<string, string>> = {}): SessionState {
    const sessionAttributes = { ...input.sessionAttributes, ...extra };
    const promptSessionAttributes = { ...input.promptSessionAttributes };
    return {
      ...(Object.keys(sessionAttributes).length > 0 ? { sessionAttributes } : {}),
      ...(Object.keys(promptSessionAttributes).length > 0 ? { promptSessionAttributes } : {}),
    };
  }

  private firstRequest(input: TurnInput, sessionId: string): InvokeAgentCommandInput {
    const manual = input.returnControlResults;
    const sessionState: SessionState = {
      ...this.attributes(input),
      ...(manual ? manualResults(manual) : {}),
    };
    return {
      ...this.baseRequest(input, sessionId),
      // InvokeAgent ignores inputText when it carries return-of-control results.
      ...(manual ? {} : { inputText: input.text }),
      ...(input.endSession ? { endSession: true } : {}),
      ...(Object.keys(sessionState).length > 0 ? { sessionState } : {}),
    };
  }

  private followUp(
    input: TurnInput,
    sessionId: string,
    invocationId: string,
    answered: { results: InvocationResultMember[]; sessionAttributes: Record<string, string> },
  ): InvokeAgentCommandInput {
    return {
      ...this.baseRequest(input, sessionId),
      sessionState: {
        ...this.attributes(input, answered.sessionAttributes),
        invocationId,
        returnControlInvocationResults: answered.results,
      },
    };
  }

  /**
   * One InvokeAgent call, retried as described on the class. Returns the call's returnControl, if any.
   *
   * The inactivity timeout is kept here rather than left to the HTTP handler: when the handler's stream
   * timeout closes the HTTP/2 stream, the SDK's event iterator simply ends, and a cut-off answer would look
   * complete. The watchdog is paused while the caller handles an event.
   */
  private async *call(
    request: InvokeAgentCommandInput,
    turn: TurnState,
  ): AsyncGenerator<AgentEvent, PendingReturnControl | undefined, undefined> {
    const maxAttempts = Math.max(1, this.options.retry?.maxAttempts ?? DEFAULT_RETRY.maxAttempts);
    const timeoutMs = this.options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    for (let attempt = 1; ; attempt++) {
      let consumerFailed = false;
      const watchdog = new IdleWatchdog(timeoutMs, turn.signal);
      try {
        watchdog.arm();
        const response = await this.sdk.send(new InvokeAgentCommand(request), {
          abortSignal: watchdog.signal,
        });
        if (response.sessionId) turn.sessionId = response.sessionId;
        if (response.memoryId) turn.memoryId = response.memoryId;
        const decoder = new TextDecoder();
        let pending: PendingReturnControl | undefined;
        for await (const event of response.completion ?? []) {
          watchdog.pause();
          if (event.returnControl) pending = toPendingReturnControl(event.returnControl);
          else {
            for (const out of this.translate(event, decoder, turn)) {
              turn.yielded = true;
              consumerFailed = true;
              yield out;
              consumerFailed = false;
            }
          }
          watchdog.arm();
        }
        watchdog.pause();
        // A stream cut by the timeout or by the caller ends like a complete one: tell them apart here.
        watchdog.throwIfStopped();
        const tail = decoder.decode();
        if (tail) {
          turn.yielded = true;
          yield { type: 'text', text: tail };
        }
        return pending;
      } catch (error) {
        // An error thrown into the generator by the caller passes through.
        if (consumerFailed) throw error;
        watchdog.throwIfStopped();
        if (isAbortError(error)) throw error;
        const agentError = toAgentError(error, attempt);
        if (!agentError.retryable || turn.yielded || attempt >= maxAttempts) throw agentError;
        const delayMs = backoffDelay(attempt, this.options.retry);
        this.options.onRetry?.({ attempt, delayMs, error: agentError });
        await (this.options.retry?.sleep ?? abortableSleep)(delayMs, turn.signal);
      } finally {
        watchdog.dispose();
      }
    }
  }

  /** The events of one stream member; an exception member is thrown. */
  private *translate(event: ResponseStream, decoder: TextDecoder, turn: TurnState): Generator<AgentEvent> {
    if (event.chunk) {
      const text = event.chunk.bytes ? decoder.decode(event.chunk.bytes, { stream: true }) : '';
      if (text) yield { type: 'text', text };
      for (const citation of event.chunk.attribution?.citations ?? []) {
        yield { type: 'citation', citation: toCitation(citation) };
      }
      return;
    }
    if (event.trace) {
      for (const step of turn.trace.add(event.trace)) yield { type: 'trace', step };
      return;
    }
    if (event.files) {
      yield {
        type: 'files',
        files: (event.files.files ?? []).map((f) => ({
          name: f.name ?? '',
          type: f.type ?? '',
          bytes: f.bytes ?? new Uint8Array(),
        })),
      };
      return;
    }
    // The SDK throws in-stream exceptions while iterating; this covers one handed over as a member.
    for (const [member, value] of Object.entries(event)) {
      if (member.endsWith('Exception') && value) {
        const message = (value as { message?: unknown }).message;
        throw toAgentError({ name: member, message: typeof message === 'string' ? message : member });
      }
    }
  }
}
