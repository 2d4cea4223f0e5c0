import { createHash } from 'node:crypto';
import {
  BedrockAgentCoreClient,
  type HarnessContentBlock,
  type HarnessMessage,
  InvokeHarnessCommand,
  type InvokeHarnessCommandInput,
} from '@aws-sdk/client-bedrock-agentcore';
import type { AgentAnswer, AskInput, ChatEngine, TurnInput } from './chat-engine';
import { collectAnswer } from './collect';
import { AgentError, AgentValidationError, isAbortError, toAgentError } from './errors';
import type { AgentEvent, PendingReturnControl, Usage } from './events';
import type { GuardrailCheck } from './guardrail';
import { type CallResult, StreamReader, type TurnState } from './harness-stream';
import { asInlineCall, type ClientToolRunner, inlineCallOf, runInlineCall } from './harness-tools';
import {
  abortableSleep,
  abortError,
  backoffDelay,
  DEFAULT_RETRY,
  type RetryNotice,
  type RetryOptions,
} from './retry';
import { isValidSessionId, newSessionId, Session, type SessionOptions } from './session';

export {
  type ClientToolCall,
  type ClientToolResult,
  type ClientToolRunner,
  KNOWLEDGE_TOOL_NAME,
} from './harness-tools';

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
        const calls = results.map((r) => ({ call: asInlineCall(r.input), confirmation: r.confirmation }));
        const content: HarnessContentBlock[] = [];
        for (const { call, confirmation } of calls) {
          const ran = yield* runInlineCall(
            this.options.toolRunner,
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
        const pendingInputs = result.pending.map((use) => inlineCallOf(use, this.readOnly));
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
          content.push(
            yield* runInlineCall(
              this.options.toolRunner,
              call,
              confirmed,
              invocationId,
              sessionId,
              identityToken,
            ),
          );
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
