import type { PendingReturnControl } from '../../client';
import { AgentError } from '../../client';
import type { InvocationStatus } from './agent-state-store';
import { confirmationView, newPendingConfirmation, schemaOperationId } from './confirmations';
import { TurnFailed } from './errors';
import { logger } from './powertools';
import type { ClaimedTurn, TurnOutcome, TurnResult, TurnState } from './turn-types';

/* How a turn that ran settles: answered, or waiting for the user's confirmation; and how any ending is recorded. */

export const errorKind = (error: unknown): string =>
  error instanceof AgentError
    ? error.exceptionName
    : error instanceof TurnFailed
      ? error.kind
      : error instanceof Error
        ? error.name
        : 'Unknown';
/** The assistant message stored for a turn that ends with a confirmation: the text so far, then the question. */
const withPrompt = (answer: string, prompt: string): string => (answer ? `${answer}\n\n${prompt}` : prompt);
/**
 * The agent asks the user to confirm a tool call (`ask` mode): the pending confirmation is stored first, so no
 * message claims that the agent asked unless the user can answer.
 */
export async function askUser(
  turn: ClaimedTurn,
  result: TurnResult,
  awaiting: PendingReturnControl,
): Promise<TurnState> {
  const { deps } = turn;
  const pending = await newPendingConfirmation({
    owner: turn.owner,
    invocationId: awaiting.invocationId,
    inputs: awaiting.inputs,
    nowMs: result.answeredAt,
    lookup: deps.operationIds ?? schemaOperationId,
  });
  try {
    await deps.agentState.finish({
      sessionId: turn.conversationId,
      owner: turn.owner,
      token: turn.token,
      status: 'AWAITING_CONFIRMATION',
      nowMs: result.answeredAt,
      latencyMs: result.answeredAt - turn.askedAt,
      confirmation: pending,
    });
  } catch (error) {
    await finish(turn, 'FAILED', 'PersistFailed', result.progressed);
    turn.meter.end('failed', result.usage);
    throw error;
  }
  return { phase: 'awaiting-confirmation', turn, result, pending };
}

/** Stores the turn's two messages and settles it: answered, or waiting for the user's confirmation. */
export async function answer(
  state: Extract<TurnState, { phase: 'ran' | 'awaiting-confirmation' }>,
): Promise<TurnState> {
  const { turn, result } = state;
  const confirmation = state.phase === 'awaiting-confirmation' ? confirmationView(state.pending) : undefined;
  try {
    await turn.deps.conversations.writeTurn({
      conversationId: turn.conversationId,
      owner: turn.owner,
      token: turn.token,
      channel: turn.request.channel,
      question: turn.question,
      askedAt: turn.askedAt,
      answer: confirmation ? withPrompt(result.answer, confirmation.prompt) : result.answer,
      answeredAt: result.answeredAt,
      citations: result.citations,
      toolCalls: result.toolCalls,
      ...(result.usage ? { usage: result.usage } : {}),
    });
  } catch (error) {
    // Also withdraws a confirmation stored before: the caller gets an error, not its id.
    await finish(turn, 'FAILED', 'PersistFailed', result.progressed);
    turn.meter.end('failed', result.usage);
    throw error;
  }
  if (!confirmation) await finish(turn, 'COMPLETED', undefined, result.progressed);
  turn.meter.end('answered', result.usage, result.answeredAt);
  const outcome: TurnOutcome = {
    conversationId: turn.conversationId,
    answer: result.answer,
    citations: result.citations,
    toolCalls: result.toolCalls,
    ...(result.usage ? { usage: result.usage } : {}),
    latencyMs: result.answeredAt - turn.askedAt,
    ...(confirmation ? { confirmation } : {}),
  };
  return { phase: 'settled', outcome };
}

/**
 * Records how the turn ended (Agent State). An answer to a confirmation that failed before the agent produced
 * anything keeps the confirmation. A failure to record is logged: the turn's outcome stands, and the lease
 * frees the session even without this record.
 */
export async function finish(
  turn: ClaimedTurn,
  status: Exclude<InvocationStatus, 'IN_PROGRESS' | 'AWAITING_CONFIRMATION'>,
  kind: string | undefined,
  progressed: boolean,
): Promise<void> {
  const at = turn.now();
  try {
    await turn.deps.agentState.finish({
      sessionId: turn.conversationId,
      owner: turn.owner,
      token: turn.token,
      status,
      nowMs: at,
      latencyMs: at - turn.askedAt,
      ...(kind ? { errorKind: kind } : {}),
      ...(turn.answering && status !== 'COMPLETED' && !progressed ? { keepConfirmation: true } : {}),
    });
  } catch (error) {
    logger.warn('could not record the turn status', {
      conversationId: turn.conversationId,
      status,
      error: errorKind(error),
    });
  }
}
