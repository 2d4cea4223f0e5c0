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

/**
 * Collects a turn's events into an answer (engine-neutral: any `ChatEngine.stream` works). Confirmation
 * prompts are decided by `onConfirmation`, or denied.
 */
export async function collectAnswer(
  events: AsyncIterable<AgentEvent>,
  onConfirmation?: AskInput['onConfirmation'],
): Promise<AgentAnswer> {
  let text = '';
  const citations: Citation[] = [];
  const steps: TraceStep[] = [];
  const files: AgentFile[] = [];
  let done:
    | { sessionId: string; memoryId?: string; usage: Usage; pending?: PendingReturnControl }
    | undefined;
  for await (const event of events) {
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
