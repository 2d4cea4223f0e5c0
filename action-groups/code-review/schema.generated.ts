// Generated from schemas/code-review.yaml by action-groups/kit/codegen/cli.ts. Do not edit by hand.
// Regenerate: npx tsx action-groups/kit/codegen/cli.ts (CI: --check)

import type { ToolContext, WithStatus } from '../kit/tool';

/** Input of reviewMergeRequest: GET /projects/{projectId}/merge-requests/{mergeRequestIid}/review. Reviews the changes of one GitLab merge request and returns findings per file and line (bugs, security problems, missing tests, unclear code) with a severity and a suggested fix. Use it when the user asks to review, check or look over a merge request (MR), e.g. "review !42 in group/project". Read-only: nothing is posted to GitLab; use postReviewComment for that, and only if the user asks. Very large merge requests are reviewed in part: then truncated is true and filesSkipped says how many files were left out. */
export interface ReviewMergeRequestInput {
  params: {
    /** The GitLab project: its numeric id (e.g. 42) or its full path URL-encoded, with / written as %2F (e.g. my-group%2Fmy-project for my-group/my-project). */
    projectId: string;
    /** The merge request number within the project (its IID, shown as !42 in GitLab and at the end of the merge request URL), not the global merge request id. 1 or more. */
    mergeRequestIid: number;
    /** Optional aspect to concentrate the review on, in a few words, e.g. "security", "performance", "error handling" or "tests". At most 200 characters. */
    focus?: string;
  };
  body: Record<string, never>;
}

/** Output of reviewMergeRequest (its success response schema). */
export interface ReviewMergeRequestOutput {
  /** The project as given in the request. */
  projectId?: string;
  /** The merge request number within the project. */
  mergeRequestIid?: number;
  /** Title of the merge request. */
  title?: string;
  /** Overall assessment in a few sentences: what the change does and whether it is ready to merge. */
  summary?: string;
  /** Problems found, most severe first. Empty when nothing needs attention. */
  findings?: Array<{
    /** Path of the file in the repository, e.g. src/app.ts. */
    file?: string;
    /** Line in the new version of the file; absent for a finding about the whole file. */
    line?: number;
    /** How serious it is. One of: info, minor, major, critical. */
    severity?: string;
    /** What is wrong and why it matters. */
    message?: string;
    /** How to fix it, possibly with a short code snippet. */
    suggestion?: string;
  }>;
  /** True when the merge request was too large to review completely. */
  truncated?: boolean;
  /** How many changed files were reviewed. */
  filesReviewed?: number;
  /** How many changed files were not reviewed (too large, binary, generated, or over the limit). */
  filesSkipped?: number;
  /** The files that were not reviewed and why (at most 50 listed; filesSkipped has the full count). */
  skippedFiles?: Array<{
    /** Path of the file in the repository. */
    file?: string;
    /** Why it was skipped. One of: binary, generated, too-large, over-budget, not-fetched, no-time. */
    reason?: string;
  }>;
  /** Link to the merge request in GitLab. */
  webUrl?: string;
}

/** Input of postReviewComment: POST /projects/{projectId}/merge-requests/{mergeRequestIid}/notes. Posts a comment (a note) on a GitLab merge request as the KASS bot user, visible to everyone with access to the project. Use it only when the user explicitly asks to post or share review feedback on the merge request; show the comment text first, since the user is asked to confirm before it is posted. Returns the note id and a link to it. */
export interface PostReviewCommentInput {
  params: {
    /** The GitLab project: its numeric id (e.g. 42) or its full path URL-encoded, with / written as %2F (e.g. my-group%2Fmy-project for my-group/my-project). */
    projectId: string;
    /** The merge request number within the project (its IID, shown as !42 in GitLab), not the global merge request id. 1 or more. */
    mergeRequestIid: number;
  };
  body: {
    /** The comment to post, in GitLab Markdown, at most 10000 characters. */
    body: string;
  };
}

/** Output of postReviewComment (its success response schema). */
export interface PostReviewCommentOutput {
  /** GitLab id of the new note. */
  noteId?: number;
  /** Link to the comment on the merge request page. */
  webUrl?: string;
}

/** Handlers of the code-review action group: `defineTool<CodeReviewOperations>({ ... })`. */
export type CodeReviewOperations = {
  reviewMergeRequest: (input: ReviewMergeRequestInput, ctx: ToolContext) => Promise<ReviewMergeRequestOutput | WithStatus<ReviewMergeRequestOutput>>;
  postReviewComment: (input: PostReviewCommentInput, ctx: ToolContext) => Promise<PostReviewCommentOutput | WithStatus<PostReviewCommentOutput>>;
};
