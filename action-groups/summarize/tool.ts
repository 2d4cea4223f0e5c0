import schema from '../../schemas/summarize.yaml';
import { requireCaller } from '../kit/caller';
import { defineTool, type ToolCallRecorder, type ToolHandler } from '../kit/tool';
import { type SummarizeDeps, summarizeConversation, summarizeText } from './domain';
import type { SummarizeOperations } from './schema.generated';

export interface SummarizeToolOptions {
  /** Stores one record per call (the ToolLogs table in the cloud). */
  readonly recorder?: ToolCallRecorder;
}

/**
 * The summarize action group over its ports: maps each operation's validated input to the domain. The
 * Lambda (`handler.ts`) builds it from the environment; tests build it with their own ports and budget.
 */
export function createSummarizeTool(deps: SummarizeDeps, options: SummarizeToolOptions = {}): ToolHandler {
  return defineTool<SummarizeOperations>({
    name: 'summarize',
    schema,
    ...(options.recorder ? { recorder: options.recorder } : {}),
    operations: {
      // Stored conversations are private: only the caller's own, and never for a session without a caller
      // (operators have no access to other users' conversations).
      summarizeConversation: async ({ params }, ctx) => {
        const { userId } = requireCaller(ctx.caller);
        return summarizeConversation(
          { logger: ctx.logger, ...deps },
          {
            conversationId: params.conversationId,
            maxKeyPoints: params.maxKeyPoints,
            ...(params.focus === undefined ? {} : { focus: params.focus }),
            userId,
          },
        );
      },
      summarizeText: async ({ body }, ctx) =>
        summarizeText(
          { logger: ctx.logger, ...deps },
          {
            text: body.text,
            maxKeyPoints: body.maxKeyPoints,
            ...(body.focus === undefined ? {} : { focus: body.focus }),
          },
        ),
    },
  });
}
