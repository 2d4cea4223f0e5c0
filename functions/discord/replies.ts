import { CONFIRMATION_TTL_MS } from '../shared/confirmation-view';
import {
  ConfirmationExpired,
  ConfirmationNotFound,
  ConversationBusy,
  TurnThrottled,
  TurnTimedOut,
} from '../shared/errors';

/**
 * What a Discord user reads when a question cannot be answered: a short, polite sentence and, for anything
 * that went wrong on KASS's side, the reference an operator finds in the logs (the interaction id). Never
 * an error message, a stack or a service name.
 */

export const rateLimitedReply = (
  limit: { questions: number; windowSeconds: number },
  retryAfterSeconds: number,
) =>
  `You have asked ${plural(limit.questions, 'question')} in the last ${describeSeconds(limit.windowSeconds).replace(/^1 /, '')}, which is my limit. Please ask again in about ${describeSeconds(retryAfterSeconds)}.`;

export const WAITING_FOR_CONFIRMATION =
  'I am still waiting for your answer to the action below; confirm or cancel it first, then ask again.';

export function apologyFor(error: unknown, reference: string): string {
  const ref = ` (ref \`${reference}\`)`;
  if (error instanceof TurnThrottled) {
    return `I am answering a lot of questions right now. Please try again in a few seconds.${ref}`;
  }
  if (error instanceof TurnTimedOut) {
    return `That took longer than I can wait (${error.deadlineSeconds} s). Try a narrower question.${ref}`;
  }
  if (error instanceof ConversationBusy) {
    return 'I am still answering your previous question here. Ask again when that answer is in.';
  }
  if (error instanceof ConfirmationExpired) {
    return `This confirmation has expired (they last ${CONFIRMATION_TTL_MS / 60_000} minutes), so nothing was run. Ask again if you still need it.`;
  }
  if (error instanceof ConfirmationNotFound) {
    return 'This confirmation was already answered, so nothing more was run.';
  }
  return `Sorry, something went wrong on my side and I could not answer. Please try again in a moment.${ref}`;
}

const plural = (n: number, unit: string): string => `${n} ${unit}${n === 1 ? '' : 's'}`;

/** `45 seconds`, `1 minute`, `5 minutes`, `2 hours`. */
function describeSeconds(seconds: number): string {
  if (seconds % 3600 === 0) return plural(seconds / 3600, 'hour');
  if (seconds % 60 === 0) return plural(seconds / 60, 'minute');
  return plural(seconds, 'second');
}
