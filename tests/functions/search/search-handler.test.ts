import { BedrockAgentRuntimeClient, RetrieveCommand } from '@aws-sdk/client-bedrock-agent-runtime';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../../functions/search/handler';
import { rankChunks } from '../../../functions/search/search';
import { getTestEvent } from '../../support/events';
import { setEnv } from '../../support/invoke-agent-server';

const searchEvent = (body?: unknown) => {
  const event = getTestEvent<APIGatewayProxyEvent>({ eventsPath: 'apigw', filename: 'rest-search' });
  if (body !== undefined) event.body = typeof body === 'string' ? body : JSON.stringify(body);
  return event;
};
const parse = (r: APIGatewayProxyResult) => JSON.parse(r.body) as Record<string, unknown>;

/** A Lambda context with `remainingMs` left before the function times out. */
const lambdaContext = (remainingMs: number): Context =>
  ({
    functionName: 'kass-search',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:kass-search',
    memoryLimitInMB: '512',
    awsRequestId: 'req-1',
    getRemainingTimeInMillis: () => remainingMs,
  }) as Context;

const chunk = (uri: string, score: number, text: string) => ({
  content: { type: 'TEXT' as const, text },
  location: { type: 'S3' as const, s3Location: { uri } },
  metadata: { 'x-amz-bedrock-kb-source-uri': uri, team: 'it-ops' },
  score,
});

describe('Handler: POST /search', () => {
  const bedrock = mockClient(BedrockAgentRuntimeClient);
  let restoreEnv: () => void;
  beforeAll(() => {
    restoreEnv = setEnv({
      KNOWLEDGE_BASE_ID: 'KB12345678',
      MAX_QUERY_CHARS: '1000',
      MAX_SEARCH_RESULTS: '25',
      ALLOWED_ORIGINS: 'http://localhost:3000',
      GUARDRAIL_ID: 'gr1234abcd',
      GUARDRAIL_VERSION: '3',
      KNOWLEDGE_BASE_VECTOR_STORE: 'opensearch-serverless',
    });
  });
  afterAll(() => {
    restoreEnv();
    bedrock.restore();
  });
  beforeEach(() => bedrock.reset());

  it('returns the chunks ranked by score, best first, with their sources', async () => {
    // Prepare: Retrieve answers out of order.
    bedrock.on(RetrieveCommand).resolves({
      retrievalResults: [
        chunk('s3://docs/laptops.md', 0.41, 'Laptops ship with…'),
        chunk('s3://docs/vpn.md', 0.87, 'Install the VPN client…'),
        chunk('s3://docs/faq.md', 0.63, 'FAQ: VPN…'),
      ],
    });
    // Act
    const result = await handler(searchEvent());
    // Assess
    expect(result.statusCode).toBe(200);
    expect(parse(result)).toEqual({
      query: 'VPN setup for new laptops',
      results: [
        {
          rank: 1,
          score: 0.87,
          text: 'Install the VPN client…',
          uri: 's3://docs/vpn.md',
          sourceType: 'S3',
          metadata: expect.objectContaining({ team: 'it-ops' }),
        },
        {
          rank: 2,
          score: 0.63,
          text: 'FAQ: VPN…',
          uri: 's3://docs/faq.md',
          sourceType: 'S3',
          metadata: expect.any(Object),
        },
        {
          rank: 3,
          score: 0.41,
          text: 'Laptops ship with…',
          uri: 's3://docs/laptops.md',
          sourceType: 'S3',
          metadata: expect.any(Object),
        },
      ],
    });
  });

  it('asks Retrieve for `top` results with the caller’s filter and the guardrail', async () => {
    // Prepare
    bedrock.on(RetrieveCommand).resolves({ retrievalResults: [] });
    // Act
    await handler(searchEvent());
    // Assess
    expect(bedrock).toHaveReceivedCommandTimes(RetrieveCommand, 1);
    expect(bedrock).toHaveReceivedCommandWith(RetrieveCommand, {
      knowledgeBaseId: 'KB12345678',
      retrievalQuery: { text: 'VPN setup for new laptops' },
      retrievalConfiguration: {
        vectorSearchConfiguration: {
          numberOfResults: 3,
          filter: {
            andAll: [
              { equals: { key: 'team', value: 'it-ops' } },
              { greaterThanOrEquals: { key: 'year', value: 2024 } },
            ],
          },
        },
      },
      guardrailConfiguration: { guardrailId: 'gr1234abcd', guardrailVersion: '3' },
    });
  });

  it('defaults to 5 results and reports a guardrail intervention', async () => {
    bedrock.on(RetrieveCommand).resolves({ retrievalResults: [], guardrailAction: 'INTERVENED' });
    const result = await handler(searchEvent({ query: 'vpn' }));
    expect(parse(result)).toEqual({ query: 'vpn', results: [], guardrailAction: 'INTERVENED' });
    expect(bedrock.commandCalls(RetrieveCommand)[0]?.args[0].input.retrievalConfiguration).toEqual({
      vectorSearchConfiguration: { numberOfResults: 5 },
    });
  });

  it.each([
    { name: 'no query', body: { top: 3 }, detail: 'query: is required and must be a string' },
    { name: 'a blank query', body: { query: ' ' }, detail: 'query: must not be empty' },
    { name: 'too many results', body: { query: 'vpn', top: 26 }, detail: 'top: must be at most 25' },
    { name: 'a fractional top', body: { query: 'vpn', top: 2.5 }, detail: 'top: must be a whole number' },
    {
      name: 'two operators in one filter',
      body: { query: 'vpn', filter: { equals: { key: 'a', value: 1 }, in: { key: 'b', value: [1] } } },
    },
    { name: 'an unknown operator', body: { query: 'vpn', filter: { like: { key: 'a', value: 'x%' } } } },
    {
      name: 'andAll with one filter',
      body: { query: 'vpn', filter: { andAll: [{ equals: { key: 'a', value: 1 } }] } },
    },
    {
      name: 'a range on a string',
      body: { query: 'vpn', filter: { greaterThan: { key: 'year', value: '2024' } } },
    },
  ])('answers 400 without calling Bedrock for $name', async ({ body, detail }) => {
    const result = await handler(searchEvent(body));
    expect(result.statusCode).toBe(400);
    const details = parse(result).details as string[];
    if (detail) expect(details).toEqual([detail]);
    else expect(details.join(' ')).toMatch(/^filter/);
    expect(bedrock).toHaveReceivedCommandTimes(RetrieveCommand, 0);
  });

  it.each([
    { error: 'ThrottlingException', status: 429 },
    { error: 'ValidationException', status: 400 },
    { error: 'AccessDeniedException', status: 502 },
    { error: 'InternalServerException', status: 502 },
  ])('maps $error to $status with a safe message', async ({ error, status }) => {
    bedrock
      .on(RetrieveCommand)
      .rejects(Object.assign(new Error(`${error}: arn:aws:secret detail`), { name: error }));
    // A second of Lambda time left: no room to wait out a throttle.
    const result = await handler(searchEvent(), lambdaContext(1000));
    expect(result.statusCode).toBe(status);
    expect(result.body).not.toMatch(/arn:|secret detail/);
  });
});

describe('Function: rankChunks', () => {
  it('keeps the best `top` chunks whatever the input order', () => {
    const ranked = rankChunks([chunk('a', 0.1, 'a'), chunk('b', 0.9, 'b'), chunk('c', 0.5, 'c')], 2);
    expect(ranked.map((r) => [r.rank, r.uri])).toEqual([
      [1, 'b'],
      [2, 'c'],
    ]);
  });
});
