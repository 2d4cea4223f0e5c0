import { setTimeout as delay } from 'node:timers/promises';
import { withWaitingNotice } from '../../../cli/render/waiting';

async function* slow(gapsMs: number[]): AsyncGenerator<number> {
  for (const [i, gap] of gapsMs.entries()) {
    await delay(gap);
    yield i;
  }
}

describe('Function: withWaitingNotice', () => {
  it('passes every event through and notes each silent stretch while waiting for the next', async () => {
    // Prepare
    const notices: number[] = [];
    // Act
    const seen: number[] = [];
    for await (const n of withWaitingNotice(slow([0, 130, 0]), {
      everyMs: 50,
      onWaiting: (s) => notices.push(s),
    }))
      seen.push(n);
    // Assess
    expect(seen).toEqual([0, 1, 2]);
    expect(notices.length).toBeGreaterThanOrEqual(2);
  });

  it('does not count the time the caller spends on an event (e.g. answering a prompt)', async () => {
    // Prepare
    const notices: number[] = [];
    // Act
    for await (const _ of withWaitingNotice(slow([0, 0]), { everyMs: 40, onWaiting: (s) => notices.push(s) }))
      await delay(150);
    // Assess
    expect(notices).toEqual([]);
  });

  it('stops the source when the caller stops early', async () => {
    // Prepare
    let finished = false;
    async function* source() {
      try {
        yield 1;
        yield 2;
      } finally {
        finished = true;
      }
    }
    // Act
    for await (const _ of withWaitingNotice(source(), { everyMs: 1000, onWaiting: () => undefined })) break;
    // Assess
    expect(finished).toBe(true);
  });
});
