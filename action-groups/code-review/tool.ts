import schema from '../../schemas/code-review.yaml';
import { defineTool, type ToolCallRecorder, type ToolContext, type ToolHandler } from '../kit/tool';
import type { TextModel } from '../shared/text-model';
import { postReviewComment } from './comment';
import type { MergeRequestSource } from './merge-requests';
import { type ReviewSettings, reviewMergeRequest } from './review';
import type { CodeReviewOperations } from './schema.generated';

export { schema };

/** The action-group name Bedrock sees (the schema's file name). */
export const TOOL_NAME = 'code-review';

/** Time kept back from the Lambda's remaining time, to answer before it is killed. */
export const DEADLINE_MARGIN_MS = 3_000;
/** Time budget when there is no Lambda context (local runs). */
const LOCAL_BUDGET_MS = 120_000;

export interface CodeReviewToolDeps {
  readonly source: MergeRequestSource;
  readonly model: TextModel;
  readonly settings: ReviewSettings;
  /** @default Date.now */
  readonly now?: () => number;
}

export interface CodeReviewToolOptions {
  /** Stores one record per call (the ToolLogs table in the cloud). */
  readonly recorder?: ToolCallRecorder;
}

function deadlineOf(ctx: ToolContext, now: number): number {
  const remaining = ctx.lambdaContext?.getRemainingTimeInMillis?.();
  return typeof remaining === 'number' ? now + remaining - DEADLINE_MARGIN_MS : now + LOCAL_BUDGET_MS;
}

/**
 * The code-review tool over its ports. `handler.ts` wires production adapters from the environment; tests
 * wire a local GitLab server and mocked AWS clients through the same function.
 */
export function createCodeReviewTool(
  deps: CodeReviewToolDeps,
  options: CodeReviewToolOptions = {},
): ToolHandler {
  const now = deps.now ?? Date.now;
  return defineTool<CodeReviewOperations>({
    name: TOOL_NAME,
    schema,
    ...(options.recorder ? { recorder: options.recorder } : {}),
    operations: {
      reviewMergeRequest: async ({ params }, ctx) => {
        const { result, stats } = await reviewMergeRequest(
          { source: deps.source, model: deps.model, settings: deps.settings, now },
          {
            projectId: params.projectId,
            mergeRequestIid: params.mergeRequestIid,
            ...(params.focus ? { focus: params.focus } : {}),
            deadline: deadlineOf(ctx, now()),
          },
        );
        // Counts only: diff text, prompts and findings never reach the logs.
        ctx.logger.info('merge request reviewed', {
          ...stats,
          filesReviewed: result.filesReviewed,
          filesSkipped: result.filesSkipped,
          findings: result.findings.length,
          truncated: result.truncated,
        });
        return result;
      },
      postReviewComment: async ({ params, body }, ctx) => {
        const result = await postReviewComment(deps.source, {
          projectId: params.projectId,
          mergeRequestIid: params.mergeRequestIid,
          body: body.body,
        });
        ctx.logger.info('review comment posted', { noteId: result.noteId });
        return result;
      },
    },
  });
}
