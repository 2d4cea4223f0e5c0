import type { ReviewableFile } from '../../../action-groups/code-review/diff-files';
import { batchCharsFor, costOf, planReview } from '../../../action-groups/code-review/review-plan';

const file = (path: string, chars: number, order: number): ReviewableFile => ({
  path,
  oldPath: path,
  change: 'modified',
  text: 'x'.repeat(chars),
  newLines: [{ start: 1, end: 10 }],
  order,
});

describe('Function: planReview', () => {
  it('reviews smaller files first and skips what exceeds the budget', () => {
    // Prepare
    const files = [
      file('big.ts', 5_000, 0),
      file('small.ts', 100, 1),
      file('mid.ts', 2_000, 2),
      file('tiny.ts', 10, 3),
    ];

    // Act
    const plan = planReview(files, { maxDiffChars: 2_500, batchChars: 2_500, maxBatches: 6 });

    // Assess
    expect(plan.batches.map((b) => b.map((f) => f.path))).toEqual([['small.ts', 'mid.ts', 'tiny.ts']]);
    expect(plan.skipped).toEqual([{ file: 'big.ts', reason: 'too-large' }]);
  });

  it('marks files that fit one call but not the remaining budget as over-budget', () => {
    // Prepare
    const files = [file('a.ts', 900, 0), file('b.ts', 900, 1), file('c.ts', 900, 2)];

    // Act
    const plan = planReview(files, { maxDiffChars: 2_000, batchChars: 1_000, maxBatches: 6 });

    // Assess
    expect(plan.batches.map((b) => b.map((f) => f.path))).toEqual([['a.ts'], ['b.ts']]);
    expect(plan.skipped).toEqual([{ file: 'c.ts', reason: 'over-budget' }]);
  });

  it('never plans more model calls than maxBatches', () => {
    // Prepare
    const files = Array.from({ length: 10 }, (_, i) => file(`f${i}.ts`, 900, i));

    // Act
    const plan = planReview(files, { maxDiffChars: 100_000, batchChars: 1_000, maxBatches: 3 });

    // Assess
    expect(plan.batches).toHaveLength(3);
    expect(plan.skipped).toHaveLength(7);
    expect(plan.skipped.every((s) => s.reason === 'over-budget')).toBe(true);
  });

  it('keeps the merge request order inside a batch and never exceeds the batch size', () => {
    // Prepare
    const files = [file('z.ts', 300, 0), file('a.ts', 100, 1), file('m.ts', 200, 2)];

    // Act
    const plan = planReview(files, { maxDiffChars: 10_000, batchChars: 5_000, maxBatches: 6 });

    // Assess
    expect(plan.batches[0]?.map((f) => f.path)).toEqual(['z.ts', 'a.ts', 'm.ts']);
    for (const batch of plan.batches) {
      expect(batch.reduce((n, f) => n + costOf(f), 0)).toBeLessThanOrEqual(5_000);
    }
  });
});

describe('Function: batchCharsFor', () => {
  it.each([
    { budget: 1_000, expected: 1_000 },
    { budget: 120_000, expected: 40_000 },
    { budget: 400_000, expected: 66_667 },
  ])('uses $expected characters per call for a budget of $budget', ({ budget, expected }) => {
    // Act & Assess
    expect(batchCharsFor(budget)).toBe(expected);
  });
});
