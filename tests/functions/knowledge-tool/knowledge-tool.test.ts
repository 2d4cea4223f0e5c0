import { BedrockAgentRuntimeClient, RetrieveCommand } from '@aws-sdk/client-bedrock-agent-runtime';
import { mockClient } from 'aws-sdk-client-mock';
import { answerKnowledgeCall } from '../../../functions/knowledge-tool/knowledge-tool';
import { KNOWLEDGE_LIMITS, KNOWLEDGE_TOOL } from '../../../functions/knowledge-tool/tool-definition';
import { BedrockKnowledgeSearch } from '../../../functions/search/search';

const agentRuntime = mockClient(BedrockAgentRuntimeClient);
const search = new BedrockKnowledgeSearch(new BedrockAgentRuntimeClient({ region: 'us-east-1' }), {
  knowledgeBaseId: 'KB12345678',
  vectorStore: 'opensearch-serverless',
  guardrail: { guardrailId: 'gr1', guardrailVersion: '2' },
});
const body = (r: { content: readonly { text: string }[] }) =>
  JSON.parse(r.content[0]?.text ?? '') as Record<string, unknown>;

beforeEach(() => agentRuntime.reset());

describe('Function: answerKnowledgeCall (kb___search)', () => {
  it('retrieves from the one knowledge base with the guardrail and returns passages with their uri', async () => {
    // Prepare
    agentRuntime.on(RetrieveCommand).resolves({
      retrievalResults: [
        {
          content: { text: 'Reset the VPN with…' },
          location: { type: 'S3', s3Location: { uri: 's3://docs/vpn.md' } },
          score: 0.8,
        },
        {
          content: { text: 'x'.repeat(KNOWLEDGE_LIMITS.maxChunkChars + 5) },
          location: { type: 'S3', s3Location: { uri: 's3://docs/long.pdf' } },
          score: 0.9,
        },
      ],
    });
    // Act
    const result = await answerKnowledgeCall(search, { query: 'reset vpn', numberOfResults: 2 });
    // Assess
    expect(result.isError).toBe(false);
    const answer = body(result) as { results: { rank: number; uri: string; text: string }[] };
    expect(answer.results.map((r) => [r.rank, r.uri])).toEqual([
      [1, 's3://docs/long.pdf'],
      [2, 's3://docs/vpn.md'],
    ]);
    expect(answer.results[0]?.text).toHaveLength(KNOWLEDGE_LIMITS.maxChunkChars + 1);
    expect(agentRuntime).toHaveReceivedCommandWith(RetrieveCommand, {
      knowledgeBaseId: 'KB12345678',
      retrievalQuery: { text: 'reset vpn' },
      retrievalConfiguration: { vectorSearchConfiguration: { numberOfResults: 2 } },
      guardrailConfiguration: { guardrailId: 'gr1', guardrailVersion: '2' },
    });
  });

  it.each([
    ['no query', {}],
    ['an empty query', { query: '  ' }],
    [
      `a query of ${KNOWLEDGE_LIMITS.maxQueryChars + 1} characters`,
      { query: 'q'.repeat(KNOWLEDGE_LIMITS.maxQueryChars + 1) },
    ],
    [
      `${KNOWLEDGE_LIMITS.maxResults + 1} results`,
      { query: 'vpn', numberOfResults: KNOWLEDGE_LIMITS.maxResults + 1 },
    ],
    ['a fractional count', { query: 'vpn', numberOfResults: 2.5 }],
    ['a list instead of arguments', ['vpn']],
  ])('refuses %s with an error result naming the field, without calling Retrieve', async (_, args) => {
    const result = await answerKnowledgeCall(search, args);
    expect(result.isError).toBe(true);
    expect(body(result).error).toBe('Invalid input. Fix these fields and call the tool again.');
    expect(agentRuntime.calls()).toHaveLength(0);
  });

  it(`accepts a query of exactly ${KNOWLEDGE_LIMITS.maxQueryChars} characters and ${KNOWLEDGE_LIMITS.maxResults} results`, async () => {
    agentRuntime.on(RetrieveCommand).resolves({ retrievalResults: [] });
    const result = await answerKnowledgeCall(search, {
      query: 'q'.repeat(KNOWLEDGE_LIMITS.maxQueryChars),
      numberOfResults: KNOWLEDGE_LIMITS.maxResults,
    });
    expect(result.isError).toBe(false);
  });

  it.each([
    ['ThrottlingException', 'The knowledge base is busy. Try again in a few seconds.'],
    ['ValidationException', 'The knowledge base rejected the search; rephrase the query.'],
    ['ResourceNotFoundException', 'The knowledge base is unavailable. Answer without it, and say so.'],
  ])('turns %s into an error result without internals', async (name, message) => {
    agentRuntime
      .on(RetrieveCommand)
      .rejects(Object.assign(new Error(`internal detail arn:aws:secret`), { name }));
    const result = await answerKnowledgeCall(search, { query: 'vpn' });
    expect(result.isError).toBe(true);
    expect(body(result).error).toBe(message);
    expect(result.content[0]?.text).not.toContain('arn:aws');
  });

  it('declares a gateway tool the converter rules accept (name, required query)', () => {
    expect(KNOWLEDGE_TOOL.name).toMatch(/^[a-zA-Z0-9_-]+$/);
    expect(KNOWLEDGE_TOOL.inputSchema.required).toEqual(['query']);
  });
});
