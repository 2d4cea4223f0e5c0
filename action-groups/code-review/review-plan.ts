import type { ReviewableFile, SkippedFile } from './diff-files';

export interface PlanLimits {
  /** Total diff characters sent to the model (MAX_DIFF_CHARS). */
  readonly maxDiffChars: number;
  /** Diff characters per model call. */
  readonly batchChars: number;
  /** Model calls per review. */
  readonly maxBatches: number;
}

export interface ReviewPlan {
  /** Files per model call, each batch in the merge request's order. */
  readonly batches: readonly (readonly ReviewableFile[])[];
  readonly skipped: readonly SkippedFile[];
}

/** Default diff characters per model call (~10k tokens): small enough for a quick answer. */
export const DEFAULT_BATCH_CHARS = 40_000;
/** Default cap on model calls per review (cost and Lambda time). */
export const DEFAULT_MAX_BATCHES = 6;

/**
 * Characters per batch for a budget: at least {@link DEFAULT_BATCH_CHARS}, more when the budget needs more
 * than `maxBatches` calls, never more than the budget.
 */
export function batchCharsFor(maxDiffChars: number, maxBatches = DEFAULT_MAX_BATCHES): number {
  return Math.min(maxDiffChars, Math.max(DEFAULT_BATCH_CHARS, Math.ceil(maxDiffChars / maxBatches)));
}

/** Characters a file costs in a prompt: its numbered diff plus its header line. */
export const costOf = (file: ReviewableFile): number => file.text.length + file.path.length + 32;

/**
 * Chooses what the model reviews within the budget.
 *
 * Priority is **smaller files first** (ties keep GitLab's order): with a fixed budget this reviews the most
 * files, a large file rarely hides many small real problems, and the big ones it leaves out are exactly the
 * ones listed in `skippedFiles` ("over-budget"), which the user can review separately. A file that alone
 * exceeds one batch is skipped as "too-large" (it could not be reviewed in one call).
 *
 * Files are packed into batches in that order (next fit); each batch is then put back in the merge
 * request's order so the model reads related files as the author arranged them.
 */
export function planReview(files: readonly ReviewableFile[], limits: PlanLimits): ReviewPlan {
  const skipped: SkippedFile[] = [];
  const batches: ReviewableFile[][] = [];
  const bySize = [...files].sort((a, b) => costOf(a) - costOf(b) || a.order - b.order);
  let used = 0;
  let current: ReviewableFile[] = [];
  let currentChars = 0;
  for (const file of bySize) {
    const cost = costOf(file);
    if (cost > limits.batchChars) {
      skipped.push({ file: file.path, reason: 'too-large' });
      continue;
    }
    if (used + cost > limits.maxDiffChars) {
      skipped.push({ file: file.path, reason: 'over-budget' });
      continue;
    }
    if (currentChars + cost > limits.batchChars) {
      if (batches.length + 1 >= limits.maxBatches) {
        skipped.push({ file: file.path, reason: 'over-budget' });
        continue;
      }
      batches.push(current);
      current = [];
      currentChars = 0;
    }
    current.push(file);
    currentChars += cost;
    used += cost;
  }
  if (current.length > 0) batches.push(current);
  return {
    batches: batches.map((batch) => [...batch].sort((a, b) => a.order - b.order)),
    skipped: skipped.sort((a, b) => a.file.localeCompare(b.file)),
  };
}
