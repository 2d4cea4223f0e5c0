import * as z from 'zod/mini';
import '../../action-groups/kit/zod-locale';
import { formatIssues } from '../../action-groups/kit/event';
import { type GatewayToolResult, gatewayResult } from '../../action-groups/kit/gateway/call';
import type { KnowledgeSearch } from '../search/search';
import { InvalidRequest, TurnThrottled } from '../shared/errors';
import { KNOWLEDGE_LIMITS } from './tool-definition';

/** The tool's arguments, as the gateway passes them (the model's JSON). */
const Arguments = z.object({
  query: z.string().check(z.trim(), z.minLength(1), z.maxLength(KNOWLEDGE_LIMITS.maxQueryChars)),
  numberOfResults: z.optional(z.int().check(z.minimum(1), z.maximum(KNOWLEDGE_LIMITS.maxResults))),
});

/** One passage as the model gets it: what `client/` reads back as a citation. */
export interface KnowledgePassage {
  readonly rank: number;
  readonly score: number;
  readonly text: string;
  readonly uri?: string;
  readonly sourceType?: string;
}

export interface KnowledgeAnswer {
  readonly results: readonly KnowledgePassage[];
  readonly guardrailAction?: string;
}

const clipText = (text: string): string =>
  text.length > KNOWLEDGE_LIMITS.maxChunkChars ? `${text.slice(0, KNOWLEDGE_LIMITS.maxChunkChars)}…` : text;

const error = (status: number, body: Record<string, unknown>): GatewayToolResult =>
  gatewayResult(status, JSON.stringify(body));

/**
 * Answers one `kb___search` call: validate the arguments, Retrieve, return the passages with their uri. Every
 * failure is an error result the model can act on (fix the query, try later); nothing is thrown.
 */
export async function answerKnowledgeCall(
  search: KnowledgeSearch,
  args: unknown,
  onError: (error: unknown) => void = () => undefined,
): Promise<GatewayToolResult> {
  const parsed = Arguments.safeParse(args ?? {});
  if (!parsed.success) {
    return error(400, {
      error: 'Invalid input. Fix these fields and call the tool again.',
      fields: formatIssues(parsed.error.issues),
    });
  }
  try {
    const result = await search.search({
      query: parsed.data.query,
      top: parsed.data.numberOfResults ?? KNOWLEDGE_LIMITS.defaultResults,
    });
    const answer: KnowledgeAnswer = {
      results: result.results.map(({ rank, score, text, uri, sourceType }) => ({
        rank,
        score,
        text: clipText(text),
        ...(uri === undefined ? {} : { uri }),
        ...(sourceType === undefined ? {} : { sourceType }),
      })),
      ...(result.guardrailAction ? { guardrailAction: result.guardrailAction } : {}),
    };
    return gatewayResult(200, JSON.stringify(answer));
  } catch (caught) {
    onError(caught);
    if (caught instanceof TurnThrottled) {
      return error(503, {
        error: 'The knowledge base is busy. Try again in a few seconds.',
        retryAfterSeconds: 5,
      });
    }
    if (caught instanceof InvalidRequest)
      return error(400, { error: 'The knowledge base rejected the search; rephrase the query.' });
    return error(502, { error: 'The knowledge base is unavailable. Answer without it, and say so.' });
  }
}
