import { BedrockAgentRuntimeClient, RetrieveCommand } from '@aws-sdk/client-bedrock-agent-runtime';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import type { VectorStoreKind } from '../../../client/vector-stores';
import { createSearchHandler } from '../../../functions/search/handler';
import { BedrockKnowledgeSearch, isTransient } from '../../../functions/search/search';
import { TurnThrottled } from '../../../functions/shared/errors';
import { getTestEvent } from '../../support/events';

const bedrock = mockClient(BedrockAgentRuntimeClient);
afterAll(() => bedrock.restore());
beforeEach(() => bedrock.reset());

const FAST = { baseDelayMs: 1, maxDelayMs: 2 };

function searchOn(store: VectorStoreKind) {
  return createSearchHandler({
    search: new BedrockKnowledgeSearch(new BedrockAgentRuntimeClient({ region: 'us-east-1' }), {
      knowledgeBaseId: 'KB12345678',
      vectorStore: store,
      retry: FAST,
    }),
    maxQueryChars: 1000,
    maxResults: 25,
    allowedOrigins: [],
  });
}

const post = (body: unknown): APIGatewayProxyEvent => {
  const event = getTestEvent<APIGatewayProxyEvent>({ eventsPath: 'apigw', filename: 'rest-search' });
  event.body = JSON.stringify(body);
  return event;
};
const json = (r: APIGatewayProxyResult) => JSON.parse(r.body) as Record<string, unknown>;

const resuming = () =>
  Object.assign(
    new Error(
      'The Aurora DB instance arn:aws:rds:us-east-1:123456789012:cluster:kass is resuming after being auto-paused. Please wait a few seconds and try again.',
    ),
    { name: 'ValidationException' },
  );

describe('POST /search on each vector store', () => {
  it.each(['opensearch-serverless', 'aurora-pgvector'] as const)(
    'sends a hybrid search to Bedrock on %s (a store with a text index)',
    async (store) => {
      bedrock.on(RetrieveCommand).resolves({ retrievalResults: [] });
      const result = await searchOn(store)(post({ query: 'FRA-2 access', searchType: 'HYBRID' }));
      expect(result.statusCode).toBe(200);
      expect(bedrock).toHaveReceivedCommandWith(RetrieveCommand, {
        retrievalConfiguration: {
          vectorSearchConfiguration: { numberOfResults: 5, overrideSearchType: 'HYBRID' },
        },
      });
    },
  );

  it('answers 400 "not supported by this store" for a hybrid search on S3 Vectors, without calling Bedrock', async () => {
    const result = await searchOn('s3-vectors')(post({ query: 'FRA-2 access', searchType: 'HYBRID' }));
    expect(result.statusCode).toBe(400);
    expect(json(result)).toEqual({
      error: 'The request is invalid',
      details: [
        "searchType: hybrid search is not supported by this knowledge base's vector store (S3 Vectors): it " +
          'searches by meaning only; drop the hybrid option',
      ],
    });
    expect(bedrock).toHaveReceivedCommandTimes(RetrieveCommand, 0);
  });

  it.each(['opensearch-serverless', 's3-vectors', 'aurora-pgvector'] as const)(
    'runs a semantic search on %s',
    async (store) => {
      bedrock.on(RetrieveCommand).resolves({ retrievalResults: [] });
      const result = await searchOn(store)(post({ query: 'vpn', searchType: 'SEMANTIC' }));
      expect(result.statusCode).toBe(200);
      expect(bedrock).toHaveReceivedCommandWith(RetrieveCommand, {
        retrievalConfiguration: {
          vectorSearchConfiguration: { numberOfResults: 5, overrideSearchType: 'SEMANTIC' },
        },
      });
    },
  );

  it('rejects an unknown search type by field', async () => {
    const result = await searchOn('opensearch-serverless')(post({ query: 'vpn', searchType: 'KEYWORD' }));
    expect(result.statusCode).toBe(400);
    expect(json(result).details).toEqual(['searchType: must be SEMANTIC or HYBRID']);
  });
});

describe('Retrieve against a store that is resuming or busy', () => {
  const search = (budgetMs: number) =>
    new BedrockKnowledgeSearch(new BedrockAgentRuntimeClient({ region: 'us-east-1' }), {
      knowledgeBaseId: 'KB12345678',
      vectorStore: 'aurora-pgvector',
      retry: FAST,
    }).search({ query: 'vpn', top: 3, budgetMs });

  it('recognises the Aurora resume message and the Data API exception, and throttling', () => {
    expect(isTransient(resuming())).toBe('resuming');
    expect(isTransient(Object.assign(new Error('x'), { name: 'DatabaseResumingException' }))).toBe(
      'resuming',
    );
    expect(isTransient(Object.assign(new Error('x'), { name: 'ThrottlingException' }))).toBe('throttled');
    expect(
      isTransient(Object.assign(new Error('bad filter'), { name: 'ValidationException' })),
    ).toBeUndefined();
  });

  it('waits for a paused cluster to resume and answers', async () => {
    bedrock
      .on(RetrieveCommand)
      .rejectsOnce(resuming())
      .rejectsOnce(resuming())
      .resolves({ retrievalResults: [{ content: { text: 'ok' }, score: 0.5 }] });
    const result = await search(5000);
    expect(result.results.map((r) => r.text)).toEqual(['ok']);
    expect(bedrock).toHaveReceivedCommandTimes(RetrieveCommand, 3);
  });

  it('retries throttling too', async () => {
    bedrock
      .on(RetrieveCommand)
      .rejectsOnce(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }))
      .resolves({ retrievalResults: [] });
    await expect(search(5000)).resolves.toEqual({ results: [] });
  });

  it('gives up within its budget with a retry-after of about the resume time', async () => {
    bedrock.on(RetrieveCommand).rejects(resuming());
    const started = Date.now();
    const error = await search(50).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TurnThrottled);
    expect((error as TurnThrottled).retryAfterSeconds).toBe(15);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('does not retry a request the store rejects', async () => {
    bedrock
      .on(RetrieveCommand)
      .rejects(Object.assign(new Error('bad filter'), { name: 'ValidationException' }));
    await expect(search(5000)).rejects.toMatchObject({ name: 'InvalidRequest' });
    expect(bedrock).toHaveReceivedCommandTimes(RetrieveCommand, 1);
  });
});
