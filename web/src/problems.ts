import { ApiError, type ChatRest } from './api';
import { describeProblem, type Problem } from './errors';

/** The problem a failed REST call (or anything else thrown) shows the reader. */
export function problemOf(error: unknown): Problem {
  if (error instanceof ApiError) return describeProblem(error.status, error.message, error.details);
  return describeProblem(500, 'Something went wrong; reload the page');
}

/**
 * Why the WebSocket would not open. Browsers hide the status of a refused `$connect`, so the REST API is
 * asked with the same credentials: 401/403 means the key or sign-in, no answer means the network.
 */
export async function connectionProblem(rest: ChatRest, websocketUrl: string): Promise<Problem> {
  const host = new URL(websocketUrl).host;
  try {
    await rest.listConversations();
  } catch (error) {
    if (error instanceof ApiError && (error.status === 401 || error.status === 403 || error.status === 0)) {
      return problemOf(error);
    }
    return describeProblem(0, `Cannot open the streaming connection to ${host}`);
  }
  return {
    message: `The chat API answers, but the streaming connection to ${host} does not open: a proxy or firewall may block WebSockets. Retry, or try another network.`,
    details: [],
    action: 'retry',
  };
}
