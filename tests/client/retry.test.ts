import fc from 'fast-check';
import { backoffDelay } from '../../client';

describe('Function: backoffDelay', () => {
  it('stays within [0, min(max, base * 2^(attempt-1))]', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 5_000 }),
        fc.integer({ min: 1, max: 60_000 }),
        fc.double({ min: 0, max: 0.999_999, noNaN: true }),
        (attempt, baseDelayMs, maxDelayMs, r) => {
          const delay = backoffDelay(attempt, { baseDelayMs, maxDelayMs, random: () => r });
          return delay >= 0 && delay <= Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
        },
      ),
    );
  });

  it('doubles the cap per attempt up to the maximum (full jitter)', () => {
    const top = { random: () => 0.999_999, baseDelayMs: 500, maxDelayMs: 8_000 };
    expect([1, 2, 3, 4, 5, 6].map((attempt) => backoffDelay(attempt, top))).toEqual([
      499, 999, 1999, 3999, 7999, 7999,
    ]);
    expect(backoffDelay(3, { random: () => 0 })).toBe(0);
  });
});
