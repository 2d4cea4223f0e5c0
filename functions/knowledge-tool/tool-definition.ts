import type { GatewayTool } from '../../action-groups/kit/openapi/gateway-tools';

/**
 * The knowledge tool of the AgentCore gateway: the gateway's managed knowledge-base connector serves only managed
 * knowledge bases, not this S3 + OpenSearch Serverless one, so a small Lambda target calls Retrieve itself. The
 * model sees it as `kb___search`. Pure data: the gateway construct reads it at synth.
 */

/** The gateway target name (no action group may use it: see KNOWLEDGE_TARGET checks in the construct). */
export const KNOWLEDGE_TARGET = 'kb';

export const KNOWLEDGE_LIMITS = {
  maxQueryChars: 1000,
  maxResults: 10,
  defaultResults: 5,
  maxChunkChars: 2000,
} as const;

export const KNOWLEDGE_TOOL: GatewayTool = {
  name: 'search',
  description:
    'Searches the KASS documents (runbooks, policies, service catalogue, team notes) and returns the most relevant ' +
    'passages, best first, each with the address (uri) of its document. Use it for questions about internal ' +
    'systems, procedures and documents; answer from the passages and cite the uri of each one you used.',
  inputSchema: {
    type: 'object',
    properties: {
      query: {
        type: 'string',
        description: `What to look for, in a few words or a question, at most ${KNOWLEDGE_LIMITS.maxQueryChars} characters.`,
      },
      numberOfResults: {
        type: 'integer',
        description: `How many passages to return, 1 to ${KNOWLEDGE_LIMITS.maxResults}. Default: ${KNOWLEDGE_LIMITS.defaultResults}.`,
      },
    },
    required: ['query'],
  },
};
