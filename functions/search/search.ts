import {
  type BedrockAgentRuntimeClient,
  type KnowledgeBaseRetrievalResult,
  type RetrievalFilter,
  RetrieveCommand,
} from '@aws-sdk/client-bedrock-agent-runtime';
import { sourceUri } from '../../client';
import { abortableSleep, backoffDelay } from '../../client/retry';
import {
  hybridNotSupportedMessage,
  supportsHybridSearch,
  type VectorStoreKind,
} from '../../client/vector-stores';
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

/** `HYBRID` adds keyword matching to the semantic search (stores with a text index only). */
export const SEARCH_TYPES = ['SEMANTIC', 'HYBRID'] as const;
export type SearchType = (typeof SEARCH_TYPES)[number];

export interface SearchQuery {
  readonly query: string;
  readonly top: number;
  readonly filter?: RetrievalFilterInput;
  /** @default Bedrock's choice (semantic) */
  readonly searchType?: SearchType;
  /** Milliseconds the search may spend retrying a busy or resuming store. @default 10_000 */
  readonly budgetMs?: number;
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
  /** The knowledge base's store: what it can do (hybrid) and how it fails (Aurora resuming from a pause). */
  readonly vectorStore: VectorStoreKind;
  readonly guardrail?: { readonly guardrailId: string; readonly guardrailVersion: string };
  /** Backoff between retries (tests shorten it). */
  readonly retry?: {
    readonly baseDelayMs?: number;
    readonly maxDelayMs?: number;
    readonly random?: () => number;
  };
}

/** Retrieve's own default budget for retries, inside the API's deadline. */
const DEFAULT_BUDGET_MS = 10_000;

/**
 * Errors worth waiting out: throttling, and an Aurora cluster that was paused (scale to zero) and is resuming:
 * Bedrock passes the Data API's "is resuming after being auto-paused" through, for about 15 s after a pause.
 */
export function isTransient(error: unknown): 'throttled' | 'resuming' | undefined {
  const name = nameOf(error);
  const message = (error as { message?: unknown } | undefined)?.message;
  if (
    name === 'DatabaseResumingException' ||
    (typeof message === 'string' && /resuming after being auto-paused/i.test(message))
  )
    return 'resuming';
  if (name === 'ThrottlingException' || name === 'ServiceQuotaExceededException') return 'throttled';
  return undefined;
}

/** Retrieve (`bedrock:Retrieve` on the one knowledge base), errors mapped to the API's typed errors. */
export class BedrockKnowledgeSearch implements KnowledgeSearch {
  constructor(
    private readonly client: BedrockAgentRuntimeClient,
    private readonly options: BedrockKnowledgeSearchOptions,
  ) {}

  async search(query: SearchQuery): Promise<SearchResult> {
    if (query.searchType === 'HYBRID' && !supportsHybridSearch(this.options.vectorStore))
      throw new InvalidRequest([`searchType: ${hybridNotSupportedMessage(this.options.vectorStore)}`]);
    const command = new RetrieveCommand({
      knowledgeBaseId: this.options.knowledgeBaseId,
      retrievalQuery: { text: query.query },
      retrievalConfiguration: {
        vectorSearchConfiguration: {
          numberOfResults: query.top,
          ...(query.searchType ? { overrideSearchType: query.searchType } : {}),
          ...(query.filter ? { filter: query.filter as unknown as RetrievalFilter } : {}),
        },
      },
      ...(this.options.guardrail ? { guardrailConfiguration: this.options.guardrail } : {}),
    });
    const deadline = Date.now() + (query.budgetMs ?? DEFAULT_BUDGET_MS);
    for (let attempt = 1; ; attempt++) {
      try {
        const out = await this.client.send(command);
        return {
          results: rankChunks(out.retrievalResults ?? [], query.top),
          ...(out.guardrailAction && out.guardrailAction !== 'NONE'
            ? { guardrailAction: out.guardrailAction }
            : {}),
        };
      } catch (error) {
        const transient = isTransient(error);
        const delay = backoffDelay(attempt, {
          baseDelayMs: this.options.retry?.baseDelayMs ?? (transient === 'resuming' ? 2000 : 500),
          maxDelayMs: this.options.retry?.maxDelayMs ?? 4000,
          ...(this.options.retry?.random ? { random: this.options.retry.random } : {}),
        });
        if (transient && Date.now() + delay < deadline) {
          await abortableSleep(delay);
          continue;
        }
        throw this.failure(error, transient);
      }
    }
  }

  /** The API's typed error for a failed Retrieve (after retries). */
  private failure(error: unknown, transient: 'throttled' | 'resuming' | undefined): Error {
    // A resuming cluster is ready in about 15 s: tell the client when to come back.
    if (transient === 'resuming') return new TurnThrottled(15, { cause: error }, 'knowledge base');
    if (transient === 'throttled') return new TurnThrottled(5, { cause: error }, 'knowledge base');
    const name = nameOf(error);
    if (name === 'ValidationException') {
      return new InvalidRequest([
        'query/filter: the knowledge base rejected the search (check the filter keys and values)',
      ]);
    }
    return new TurnFailed(name, { cause: error }, 'knowledge base');
  }
}
