import { randomBytes } from 'node:crypto';
import { mapBounded } from '../../contracts/concurrency';
import type { TextModel } from '../shared/text-model';
import {
  type Classified,
  classifyFile,
  type ReviewableFile,
  type SkippedFile,
  type SkipReason,
} from './diff-files';
import { type Finding, mergeFindings, parseModelReview } from './findings';
import { checkIid, type MergeRequestInfo, type MergeRequestSource } from './merge-requests';
import { batchCharsFor, DEFAULT_MAX_BATCHES, planReview } from './review-plan';
import { systemPrompt, userPrompt } from './review-prompt';

export interface ReviewSettings {
  /** Total diff characters sent to the model (MAX_DIFF_CHARS). */
  readonly maxDiffChars: number;
  /** Findings returned at most (most severe kept). @default 40 */
  readonly maxFindings?: number;
  /** Output tokens per model call. @default 2048 */
  readonly maxOutputTokens?: number;
  /** Model calls per review. @default 6 */
  readonly maxBatches?: number;
  /** Model calls in flight at once. @default 3 */
  readonly concurrency?: number;
  /** Changed files fetched at most. @default 300 */
  readonly maxFiles?: number;
  /** A model call is not started with less time than this before the deadline, in ms. @default 10000 */
  readonly minModelCallMs?: number;
}

export interface ReviewDeps {
  readonly source: MergeRequestSource;
  readonly model: TextModel;
  readonly settings: ReviewSettings;
  /** @default Date.now */
  readonly now?: () => number;
  /** Fence nonce for the untrusted data. @default 12 random hex characters */
  readonly nonce?: () => string;
}

export interface ReviewRequest {
  /** As the caller gave it; the source checks it against the allowlist. */
  readonly projectId: string;
  readonly mergeRequestIid: number;
  readonly focus?: string;
  /** Epoch ms by which the answer must be ready (the Lambda's remaining time minus a margin). */
  readonly deadline?: number;
}

export interface ReviewResult {
  readonly projectId: string;
  readonly mergeRequestIid: number;
  readonly title: string;
  readonly summary: string;
  readonly findings: Finding[];
  readonly truncated: boolean;
  readonly filesReviewed: number;
  readonly filesSkipped: number;
  readonly skippedFiles: SkippedFile[];
  readonly webUrl?: string;
}

/** Counts for the log line (never content). */
export interface ReviewStats {
  readonly filesChanged: number;
  readonly batches: number;
  readonly failedBatches: number;
  readonly droppedFindings: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
}

export const MAX_FINDINGS = 40;
/** skippedFiles lists at most this many (filesSkipped has the full count). */
export const MAX_SKIPPED_LISTED = 50;
const MAX_TOTAL_SUMMARY_CHARS = 2_500;
const DEFAULT_TIME_BUDGET_MS = 120_000;

type BatchOutcome =
  | {
      readonly kind: 'ok';
      readonly summary: string;
      readonly findings: Finding[];
      readonly dropped: number;
      readonly cut: boolean;
    }
  | { readonly kind: 'unreadable' | 'blocked' | 'no-time' }
  | { readonly kind: 'error'; readonly error: unknown };

interface Usage {
  inputTokens: number;
  outputTokens: number;
}

const TIMED_OUT: unique symbol = Symbol('timed-out');

/** `promise`, or TIMED_OUT after `ms`. The timer never keeps the process alive. */
async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), Math.max(0, ms));
    timer.unref();
  });
  promise.catch(() => undefined); // an abandoned call must not become an unhandled rejection
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const REASON_WORDS: Record<SkipReason, string> = {
  binary: 'binary',
  generated: 'generated or lock file',
  'too-large': 'too large for one review call',
  'over-budget': 'over the size budget',
  'no-time': 'not reviewed in time',
  blocked: 'blocked by the content filter',
  'model-error': 'the model failed',
};

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

function skippedNote(skipped: readonly SkippedFile[], notFetched: number): string | undefined {
  const counts = new Map<SkipReason, number>();
  for (const s of skipped) counts.set(s.reason, (counts.get(s.reason) ?? 0) + 1);
  const parts = [...counts].map(([reason, n]) => `${n} ${REASON_WORDS[reason]}`);
  if (notFetched > 0) parts.push(`${notFetched} not fetched from GitLab (too many files)`);
  const total = skipped.length + notFetched;
  return total === 0 ? undefined : `Not reviewed: ${plural(total, 'file')} (${parts.join(', ')}).`;
}

/**
 * Reviews a merge request: fetches metadata and diffs through the source (which enforces the allowlist),
 * skips binary/generated/oversized files, budgets the rest into model calls, validates and merges the
 * findings, and says in `summary`, `truncated` and `skippedFiles` what was left out. Model calls that fail
 * or answer unreadably degrade the review instead of failing it, unless every call failed with an error.
 */
export async function reviewMergeRequest(
  deps: ReviewDeps,
  request: ReviewRequest,
): Promise<{ result: ReviewResult; stats: ReviewStats }> {
  const now = deps.now ?? Date.now;
  const settings = deps.settings;
  const iid = checkIid(request.mergeRequestIid);
  const deadline = request.deadline ?? now() + DEFAULT_TIME_BUDGET_MS;
  const maxBatches = settings.maxBatches ?? DEFAULT_MAX_BATCHES;
  const nonce = (deps.nonce ?? (() => randomBytes(6).toString('hex')))();

  const mr = await deps.source.getMergeRequest(request.projectId, iid);
  const changed = await deps.source.listChangedFiles(request.projectId, iid, {
    maxFiles: settings.maxFiles ?? 300,
  });

  const classified: Classified[] = changed.files.map((file, i) => classifyFile(file, i));
  const reviewable = classified.flatMap((c) => (c.kind === 'review' ? [c.file] : []));
  const plan = planReview(reviewable, {
    maxDiffChars: settings.maxDiffChars,
    batchChars: batchCharsFor(settings.maxDiffChars, maxBatches),
    maxBatches,
  });
  const usage: Usage = { inputTokens: 0, outputTokens: 0 };
  const system = systemPrompt(nonce, request.focus);
  const outcomes = await mapBounded(plan.batches, settings.concurrency ?? 3, (files, i) =>
    runBatch(deps, mr, { files, index: i + 1, count: plan.batches.length }, system, nonce, usage, {
      deadline,
      now,
      minCallMs: settings.minModelCallMs ?? 10_000,
      maxTokens: settings.maxOutputTokens ?? 2_048,
    }),
  );

  if (outcomes.length > 0 && outcomes.every((o) => o.kind === 'error')) {
    throw (outcomes[0] as { error: unknown }).error;
  }

  const skipped: SkippedFile[] = [
    ...classified.flatMap((c) => (c.kind === 'skip' ? [c.skipped] : [])),
    ...plan.skipped,
  ];
  let reviewed = 0;
  outcomes.forEach((outcome, i) => {
    const files = plan.batches[i] ?? [];
    if (outcome.kind === 'ok') {
      reviewed += files.length;
      return;
    }
    const reason: SkipReason =
      outcome.kind === 'blocked' ? 'blocked' : outcome.kind === 'no-time' ? 'no-time' : 'model-error';
    for (const file of files) skipped.push({ file: file.path, reason });
  });

  const ok = outcomes.filter((o): o is Extract<BatchOutcome, { kind: 'ok' }> => o.kind === 'ok');
  const order = new Map(reviewable.map((f) => [f.path, f.order]));
  const all = mergeFindings(
    ok.map((o) => o.findings),
    order,
  );
  const maxFindings = settings.maxFindings ?? MAX_FINDINGS;
  const findings = all.slice(0, maxFindings);
  const fetched = changed.files.length;
  const notFetched =
    !changed.complete && mr.changesCount !== undefined ? Math.max(0, mr.changesCount - fetched) : 0;

  const notes: string[] = [];
  const unreadable = outcomes.filter((o) => o.kind === 'unreadable').length;
  if (outcomes.length === 0 && skipped.length === 0)
    notes.push('The merge request has no changes to review.');
  if (unreadable > 0) {
    notes.push(
      unreadable === outcomes.length
        ? "The review could not be completed: the model's answer could not be read, so no findings are reported. Try again."
        : `The model's answer for ${unreadable} of ${outcomes.length} parts could not be read; those files have no findings.`,
    );
  }
  if (outcomes.some((o) => o.kind === 'blocked')) {
    notes.push('The content filter blocked the review of part of the merge request.');
  }
  if (outcomes.some((o) => o.kind === 'no-time')) {
    notes.push('Part of the merge request could not be reviewed in the available time.');
  }
  if (outcomes.some((o) => o.kind === 'error'))
    notes.push('The language model failed on part of the review.');
  if (ok.some((o) => o.cut))
    notes.push('Some answers were cut at the output limit, so findings may be missing.');
  const skipNote = skippedNote(skipped, notFetched);
  if (skipNote) notes.push(skipNote);
  if (!changed.complete && notFetched === 0)
    notes.push('Not every changed file could be fetched from GitLab.');
  if (all.length > findings.length) {
    notes.push(`Showing the ${findings.length} most severe of ${all.length} findings.`);
  }

  const summaries = ok.map((o) => o.summary).filter((s) => s !== '');
  let summary = [...summaries, ...notes].join(' ');
  if (summary === '') summary = 'No problems found in the reviewed changes.';
  if (summary.length > MAX_TOTAL_SUMMARY_CHARS) summary = `${summary.slice(0, MAX_TOTAL_SUMMARY_CHARS - 1)}…`;

  const sortedSkipped = skipped.sort((a, b) => a.file.localeCompare(b.file));
  const truncated =
    sortedSkipped.length > 0 ||
    !changed.complete ||
    all.length > findings.length ||
    ok.some((o) => o.cut) ||
    ok.length < outcomes.length;

  return {
    result: {
      projectId: request.projectId,
      mergeRequestIid: iid,
      title: mr.title,
      summary,
      findings,
      truncated,
      filesReviewed: reviewed,
      filesSkipped: sortedSkipped.length + notFetched,
      skippedFiles: sortedSkipped.slice(0, MAX_SKIPPED_LISTED),
      ...(mr.webUrl ? { webUrl: mr.webUrl } : {}),
    },
    stats: {
      filesChanged: fetched,
      batches: plan.batches.length,
      failedBatches: outcomes.length - ok.length,
      droppedFindings: ok.reduce((n, o) => n + o.dropped, 0),
      inputTokens: usage.inputTokens,
      outputTokens: usage.outputTokens,
    },
  };
}

interface BatchTiming {
  readonly deadline: number;
  readonly now: () => number;
  readonly minCallMs: number;
  readonly maxTokens: number;
}

async function runBatch(
  deps: ReviewDeps,
  mr: MergeRequestInfo,
  part: { files: readonly ReviewableFile[]; index: number; count: number },
  system: string,
  nonce: string,
  usage: Usage,
  timing: BatchTiming,
): Promise<BatchOutcome> {
  const left = timing.deadline - timing.now();
  if (left < timing.minCallMs) return { kind: 'no-time' };
  let answer: Awaited<ReturnType<TextModel['complete']>> | typeof TIMED_OUT;
  try {
    answer = await withTimeout(
      deps.model.complete({
        system,
        prompt: userPrompt(mr, part, nonce),
        maxTokens: timing.maxTokens,
        temperature: 0,
      }),
      left,
    );
  } catch (error) {
    return { kind: 'error', error };
  }
  if (answer === TIMED_OUT) return { kind: 'no-time' };
  usage.inputTokens += answer.inputTokens;
  usage.outputTokens += answer.outputTokens;
  if (answer.guardrailIntervened) return { kind: 'blocked' };
  const parsed = parseModelReview(answer.text, part.files);
  if (!parsed.ok) return { kind: 'unreadable' };
  return {
    kind: 'ok',
    summary: parsed.summary,
    findings: parsed.findings,
    dropped: parsed.dropped,
    cut: answer.truncated,
  };
}
