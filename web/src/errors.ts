/** What the page tells the user about a failure, and the one thing it offers to do about it. */
export interface Problem {
  readonly message: string;
  readonly details: readonly string[];
  readonly action?: 'retry' | 'sign-in' | 'new-conversation';
}

/**
 * Maps an error frame or REST failure to a problem. The chat API's messages already say what to do (they are
 * written for clients); the page adds the button that does it.
 */
export function describeProblem(
  status: number,
  error: string,
  details: readonly string[] = [],
  retryAfterSeconds?: number,
): Problem {
  if (status === 0) {
    return {
      message: `${error}. Check your network or VPN; KASS reconnects by itself, or retry now.`,
      details,
      action: 'retry',
    };
  }
  if (status === 400) {
    return { message: `${error}. Edit the message and send it again.`, details };
  }
  if (status === 401 || status === 403) {
    return {
      message: 'Your key or sign-in was refused (expired, revoked or for another stage). Sign in again.',
      details,
      action: 'sign-in',
    };
  }
  if (status === 404 && /conversation not found/i.test(error)) {
    return {
      message: 'This conversation does not exist or is not yours. Start a new conversation.',
      details,
      action: 'new-conversation',
    };
  }
  if (status === 429) {
    const wait = retryAfterSeconds ? ` in ${retryAfterSeconds} s` : ' in a few seconds';
    return { message: `${error.replace(/;.*$/, '')}; retry${wait}.`, details, action: 'retry' };
  }
  if (status === 404 || status === 409) return { message: error, details, action: 'retry' };
  if (status >= 500) return { message: error, details, action: 'retry' };
  return { message: error, details };
}
