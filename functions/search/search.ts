import {
  type BedrockAgentRuntimeClient,
  type KnowledgeBaseRetrievalResult,
  type RetrievalFilter,
  RetrieveCommand,
} from '@aws-sdk/client-bedrock-agent-runtime';
import { sourceUri } from '../../client';
import { InvalidRequest, TurnFailed, TurnThrottled } from '../shared/errors';
import type { RetrievalFilterInput } from '../shared/requests';

/** One knowledge-base chunk as POST /search returns it, best first. */
export interface RankedChunk {
  /** 1 = best match. */
  readonly rank: number;
  readonly score: number;
  readonly text: string;
  readonly uri?: string;
  readonly sourceType?: string;
  readonly metadata?: Readonly<Record<string, unknown>>;
}

export interface SearchResult {
  readonly results: readonly RankedChunk[];
  /** Set when the guardrail intervened (blocked or masked the query or results). */
  readonly guardrailAction?: string;
}

export interface SearchQuery {
  readonly query: string;
  readonly top: number;
  readonly filter?: RetrievalFilterInput;
}

/** Port: the knowledge-base retrieval the search handler depends on. */
export interface KnowledgeSearch {
  search(query: SearchQuery): Promise<SearchResult>;
}

/** Sorts Retrieve results by score (best first), keeps `top`, and numbers them. */
export function rankChunks(results: readonly KnowledgeBaseRetrievalResult[], top: number): RankedChunk[] {
  return [...results]
    .sort((a, b) => (b.score ?? 0) - (a.score ?? 0))
    .slice(0, top)
    .map((r, i) => {
      const uri = sourceUri(r.location);
      return {
        rank: i + 1,
        score: r.score ?? 0,
        text: r.content?.text ?? '',
        ...(uri === undefined ? {} : { uri }),
        ...(r.location?.type === undefined ? {} : { sourceType: r.location.type }),
        ...(r.metadata ? { metadata: { ...r.metadata } } : {}),
      };
    });
}

const nameOf = (error: unknown): string => {
  const name = (error as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' ? name : 'Unknown';
};

export interface BedrockKnowledgeSearchOptions {
  readonly knowledgeBaseId: string;
  readonly guardrail?: { readonly guardrailId: string; readonly guardrailVersion: string };
}

/** Retrieve (`bedrock:Retrieve` on the one knowledge base), errors mapped to the API's typed errors. */
export class BedrockKnowledgeSearch implements KnowledgeSearch {
  constructor(
    private readonly client: BedrockAgentRuntimeClient,
    private readonly options: BedrockKnowledgeSearchOptions,
  ) {}

  async search(query: SearchQuery): Promise<SearchResult> {
    try {
      const out = await this.client.send(
        new RetrieveCommand({
          knowledgeBaseId: this.options.knowledgeBaseId,
          retrievalQuery: { text: query.query },
          retrievalConfiguration: {
            vectorSearchConfiguration: {
              numberOfResults: query.top,
              ...(query.filter ? { filter: query.filter as unknown as RetrievalFilter } : {}),
            },
          },
          ...(this.options.guardrail ? { guardrailConfiguration: this.options.guardrail } : {}),
        }),
      );
      return {
        results: rankChunks(out.retrievalResults ?? [], query.top),
        ...(out.guardrailAction && out.guardrailAction !== 'NONE'
          ? { guardrailAction: out.guardrailAction }
          : {}),
      };
    } catch (error) {
      const name = nameOf(error);
      if (name === 'ThrottlingException' || name === 'ServiceQuotaExceededException') {
        throw new TurnThrottled(5, { cause: error }, 'knowledge base');
      }
      if (name === 'ValidationException') {
        throw new InvalidRequest([
          'query/filter: the knowledge base rejected the search (check the filter keys and values)',
        ]);
      }
      throw new TurnFailed(name, { cause: error }, 'knowledge base');
    }
  }
}
