import type { VectorStoreKind } from '../../contracts/vector-stores';

/** A numbered guardrail version, as the chat functions, the knowledge tool and the harness hook apply it. */
export interface GuardrailRef {
  readonly guardrailId: string;
  readonly guardrailVersion: string;
  readonly guardrailArn: string;
}

/** The knowledge base as the AgentCore knowledge tool reads it (the store decides hybrid search and retries). */
export interface KnowledgeBaseRef {
  readonly id: string;
  readonly arn: string;
  readonly vectorStore: VectorStoreKind;
}
