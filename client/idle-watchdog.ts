import { AgentError } from './errors';
import { abortError } from './retry';

/**
 * Aborts a call after `ms` without stream activity, or when the turn is aborted. `throwIfStopped` turns
 * either into the error the caller should see.
 */
export class IdleWatchdog {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private timedOut = false;
  private readonly onTurnAbort = () => this.controller.abort();

  constructor(
    private readonly ms: number,
    private readonly turn: AbortSignal,
  ) {
    if (turn.aborted) this.controller.abort();
    else turn.addEventListener('abort', this.onTurnAbort, { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  arm(): void {
    this.pause();
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort();
    }, this.ms);
  }

  pause(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  throwIfStopped(): void {
    if (this.turn.aborted) throw abortError();
    if (this.timedOut) {
      throw new AgentError(`No response from the agent for ${Math.round(this.ms / 1000)} s.`, {
        exceptionName: 'TimeoutError',
      });
    }
  }

  dispose(): void {
    this.pause();
    this.turn.removeEventListener('abort', this.onTurnAbort);
  }
}
