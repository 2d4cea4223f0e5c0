/** When to say that the agent has been silent, and how to say it. */
export interface WaitingNotice {
  /** Silence before the first notice, and between notices. */
  readonly everyMs: number;
  /** Called with the seconds of silence so far. */
  readonly onWaiting: (silentSeconds: number) => void;
}

/**
 * Passes the events of `events` through unchanged and calls `onWaiting` while the next one is overdue (only
 * while waiting for it: time the caller spends on an event, e.g. a confirmation prompt, does not count), so a
 * turn that stays silent is never silent on screen.
 */
export async function* withWaitingNotice<T>(
  events: AsyncIterable<T>,
  notice: WaitingNotice,
): AsyncGenerator<T> {
  const iterator = events[Symbol.asyncIterator]();
  try {
    for (;;) {
      const started = Date.now();
      const timer = setInterval(
        () => notice.onWaiting(Math.round((Date.now() - started) / 1000)),
        notice.everyMs,
      );
      let next: IteratorResult<T>;
      try {
        next = await iterator.next();
      } finally {
        clearInterval(timer);
      }
      if (next.done) return;
      yield next.value;
    }
  } finally {
    await iterator.return?.();
  }
}
