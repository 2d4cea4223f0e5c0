import { mapBounded } from '../../contracts/concurrency';

/** The one bounded-concurrency helper: what summarize, code review, kass sync and kass guardrail check rely on. */
describe('Function: mapBounded', () => {
  it('keeps at most `limit` calls in flight and returns results in input order', async () => {
    // Prepare
    let inFlight = 0;
    let peak = 0;
    // Act
    const results = await mapBounded([5, 1, 4, 2, 3, 1, 2], 3, async (ms, i) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, ms));
      inFlight--;
      return i * 2;
    });
    // Assess
    expect(results).toEqual([0, 2, 4, 6, 8, 10, 12]);
    expect(peak).toBe(3);
  });

  it('visits every item once, never more than the limit at once', async () => {
    // Prepare
    let running = 0;
    let peak = 0;
    const seen: number[] = [];
    // Act
    await mapBounded(
      Array.from({ length: 25 }, (_, i) => i),
      4,
      async (item) => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setTimeout(resolve, item % 3));
        seen.push(item);
        running--;
      },
    );
    // Assess
    expect(peak).toBe(4);
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i));
  });

  it('starts no new call after a failure, lets the calls in flight settle, then rethrows the first failure', async () => {
    // Prepare
    const started: number[] = [];
    let settled = 0;
    // Act
    const error = await mapBounded([1, 2, 3, 4, 5], 2, async (n) => {
      started.push(n);
      if (n === 2) throw new Error('boom');
      await new Promise((resolve) => setTimeout(resolve, 5));
      settled++;
      return n;
    }).catch((e: unknown) => e);
    // Assess
    expect((error as Error).message).toBe('boom');
    expect(started).toEqual([1, 2]);
    expect(settled).toBe(1);
  });

  it('stops taking items once the signal aborts', async () => {
    // Prepare
    const controller = new AbortController();
    const seen: number[] = [];
    // Act
    const results = await mapBounded(
      [1, 2, 3, 4, 5],
      1,
      async (item) => {
        seen.push(item);
        if (item === 2) controller.abort();
        return item;
      },
      { signal: controller.signal },
    );
    // Assess
    expect(seen).toEqual([1, 2]);
    expect(results.filter((r) => r !== undefined)).toEqual([1, 2]);
  });

  it('tells each result as it arrives', async () => {
    // Prepare
    const arrived: [number, number][] = [];
    // Act
    await mapBounded(
      [30, 1],
      2,
      async (ms) => {
        await new Promise((resolve) => setTimeout(resolve, ms));
        return ms;
      },
      { onResult: (result, index) => arrived.push([result, index]) },
    );
    // Assess
    expect(arrived).toEqual([
      [1, 1],
      [30, 0],
    ]);
  });
});
