import type { AgentAnswer, AskInput, TraceSummary } from './chat-engine';
import type {
  AgentEvent,
  AgentFile,
  Citation,
  FailureStep,
  GuardrailStep,
  KnowledgeBaseStep,
  PendingReturnControl,
  ToolCallStep,
  TraceStep,
  Usage,
} from './events';

/** Condenses trace steps into a summary (usage steps are counted in `usage`, not listed). */
export function summarizeTrace(steps: readonly TraceStep[]): TraceSummary {
  const rationales: string[] = [];
  const toolCalls: ToolCallStep[] = [];
  const toolOutputs: string[] = [];
  const knowledgeBaseLookups: KnowledgeBaseStep[] = [];
  const guardrailInterventions: GuardrailStep[] = [];
  const failures: FailureStep[] = [];
  for (const step of steps) {
    switch (step.kind) {
      case 'rationale':
        rationales.push(step.text);
        break;
      case 'toolCall':
        toolCalls.push(step);
        break;
      case 'toolOutput':
        toolOutputs.push(step.output);
        break;
      case 'knowledgeBase':
        knowledgeBaseLookups.push(step);
        break;
      case 'guardrail':
        if (step.action === 'INTERVENED') guardrailInterventions.push(step);
        break;
      case 'failure':
        failures.push(step);
        break;
      case 'usage':
        break;
    }
  }
  return { rationales, toolCalls, toolOutputs, knowledgeBaseLookups, guardrailInterventions, failures };
}

/** The end of a turn, as its `done` event tells it. */
export interface TurnEnd {
  readonly sessionId: string;
  readonly memoryId?: string;
  readonly usage: Usage;
  readonly pending?: PendingReturnControl;
}

/** What a turn's events add up to; `done` is absent when the stream ended without one. */
export interface CollectedTurn {
  readonly text: string;
  readonly citations: readonly Citation[];
  readonly steps: readonly TraceStep[];
  readonly files: readonly AgentFile[];
  readonly done?: TurnEnd;
}

export interface CollectOptions {
  /** Decides confirmation prompts (true = confirm). @default every prompt is denied */
  readonly onConfirmation?: AskInput['onConfirmation'];
  /** Sees each event before it is collected, in order (streaming text to a client, counting); a throw ends the turn. */
  readonly onEvent?: (event: AgentEvent) => Promise<void> | void;
}

/**
 * The one loop over a turn's events (engine-neutral: any `ChatEngine.stream` works): text, citations, trace
 * steps and files are gathered, confirmations decided by `onConfirmation` (or denied), the `done` event kept.
 */
export async function collectTurn(
  events: AsyncIterable<AgentEvent>,
  options: CollectOptions = {},
): Promise<CollectedTurn> {
  let text = '';
  const citations: Citation[] = [];
  const steps: TraceStep[] = [];
  const files: AgentFile[] = [];
  let done: TurnEnd | undefined;
  const { onConfirmation, onEvent } = options;
  for await (const event of events) {
    await onEvent?.(event);
    switch (event.type) {
      case 'text':
        text += event.text;
        break;
      case 'citation':
        citations.push(event.citation);
        break;
      case 'trace':
        steps.push(event.step);
        break;
      case 'files':
        files.push(...event.files);
        break;
      case 'confirmation': {
        const ok = onConfirmation
          ? await onConfirmation({ invocationId: event.invocationId, input: event.input })
          : false;
        if (ok) event.confirm();
        else event.deny();
        break;
      }
      case 'done':
        done = {
          sessionId: event.sessionId,
          usage: event.usage,
          ...(event.memoryId ? { memoryId: event.memoryId } : {}),
          ...(event.pendingReturnControl ? { pending: event.pendingReturnControl } : {}),
        };
        break;
      case 'returnControl':
      case 'toolResult':
        break;
    }
  }
  return { text, citations, steps, files, ...(done ? { done } : {}) };
}

/**
 * Collects a turn's events into an answer. Confirmation prompts are decided by `onConfirmation`, or denied.
 */
export async function collectAnswer(
  events: AsyncIterable<AgentEvent>,
  onConfirmation?: AskInput['onConfirmation'],
): Promise<AgentAnswer> {
  const { text, citations, steps, files, done } = await collectTurn(
    events,
    onConfirmation ? { onConfirmation } : {},
  );
  if (!done) throw new Error('The turn ended without a done event.');
  return {
    text,
    citations,
    trace: summarizeTrace(steps),
    usage: done.usage,
    sessionId: done.sessionId,
    ...(done.memoryId ? { memoryId: done.memoryId } : {}),
    files,
    ...(done.pending ? { pendingReturnControl: done.pending } : {}),
  };
}
