import { parseArgs } from 'node:util';
import type {
  BedrockAgentRuntimeClient,
  KnowledgeBaseRetrievalResult,
} from '@aws-sdk/client-bedrock-agent-runtime';
// The module itself, not the client's index: `kass retrieve --help` does not load the agent client.
import { type FilterClause, toRetrievalFilter } from '../../client/retrieval-filter';
import { type EnvSource, processEnv } from '../../contracts/env';
import {
  hybridNotSupportedMessage,
  isVectorStoreKind,
  supportsHybridSearch,
  VECTOR_STORE_OUTPUT,
  VECTOR_STORES,
  type VectorStoreKind,
} from '../../contracts/vector-stores';
import { cliClientConfig, diagnoseNetwork, explainNetworkFailure } from '../aws/network';
import type { CliIo } from '../io';
import { formatFilter, parseFilter } from '../retrieve/filter-expression';
import { CliError, StackOutputs } from '../stack-outputs';

export { FILTER_KEY, type FilterParse, formatFilter, parseFilter } from '../retrieve/filter-expression';

const DEFAULT_TOP = 5;
const MAX_TOP = 100;
const MAX_QUERY = 20_000;

export const usage = `Usage: kass retrieve <query> [options]

Searches the knowledge base (Bedrock Retrieve API) and prints the ranked chunks with their score, source URI
and metadata. Words after the command form the query: kass retrieve VPN setup for new laptops

Options:
  --top <n>                  Number of chunks, 1-${MAX_TOP} (default: ${DEFAULT_TOP})
  -f, --filter <expr>        Metadata filter; repeat for several (all must match; see --any)
  --any                      Match any filter instead of all (orAll instead of andAll)
  --hybrid                   Hybrid (semantic + keyword) search; needs a store with a text index
                             (OpenSearch Serverless, Aurora); refused on S3 Vectors before calling Bedrock
  --json                     Print {query, knowledgeBaseId, filter, results[]} as JSON
  --stage <name>             Stage whose stack outputs supply the id (default: dev)
  --knowledge-base-id <id>   Knowledge base (else KASS_KNOWLEDGE_BASE_ID, else stack output KnowledgeBaseId)
                             Its vector store: KASS_VECTOR_STORE, else the stack output ${VECTOR_STORE_OUTPUT}
  -h, --help                 Show this help

Filters (metadata from the <file>.metadata.json sidecars):
  key=value                  equals               team=it-ops   year=2024   public=true
  key!=value                 notEquals            team!=hr (also matches documents without the key)
  key>n  key>=n  key<n  key<=n                    year>=2024 (numbers only)
  key:in=a,b,c               in                   team:in=it-ops,sre
  key:notIn=a,b              notIn                year:notIn=2022,2023
  key:startsWith=text        startsWith           title:startsWith=VPN (OpenSearch Serverless only)
  key:listContains=text      list attribute holds tags:listContains=vpn
  key:stringContains=text    string contains      title:stringContains=laptop
  Any API operator name also works after a colon: key:greaterThanOrEquals=2024.
  Values: numbers (2024, -1.5, 1e3) and true/false are typed; anything else is a string. Quote a value as a
  JSON string to keep it a string or to include commas or spaces: team="2024", team:in="a,b",c. Quote the
  whole expression for the shell: --filter 'year>=2024'.

Examples:
  kass retrieve VPN setup for new laptops
  kass retrieve "VPN profile expiry" --top 3 --filter 'year>=2024' --filter team=it-ops

Exit status: 0 success (also with no results), 1 the call failed, 2 usage error.
`;

export interface RetrievedChunk {
  readonly rank: number;
  readonly score: number | undefined;
  readonly uri: string | undefined;
  readonly metadata: Record<string, unknown>;
  readonly text: string;
}

/** The source of a result: the `uri`/`url` of whichever `*Location` the result carries. */
function sourceOf(result: KnowledgeBaseRetrievalResult): string | undefined {
  for (const value of Object.values(result.location ?? {})) {
    if (typeof value !== 'object' || value === null) continue;
    const { uri, url } = value as { uri?: unknown; url?: unknown };
    if (typeof uri === 'string') return uri;
    if (typeof url === 'string') return url;
  }
  return undefined;
}

const toChunk = (result: KnowledgeBaseRetrievalResult, i: number): RetrievedChunk => ({
  rank: i + 1,
  score: result.score,
  uri: sourceOf(result),
  metadata: (result.metadata ?? {}) as Record<string, unknown>,
  text: result.content?.text ?? '',
});

/** Bedrock's own keys (`x-amz-bedrock-kb-source-uri`, chunk ids...) are left out of the text output. */
const isServiceKey = (key: string): boolean => key.startsWith('x-amz-bedrock-kb-');

const showValue = (value: unknown): string =>
  Array.isArray(value)
    ? value.map(String).join(',')
    : typeof value === 'string'
      ? value
      : JSON.stringify(value);

export function formatChunks(chunks: readonly RetrievedChunk[]): string {
  return chunks
    .map((c) => {
      const meta = Object.entries(c.metadata)
        .filter(([k]) => !isServiceKey(k))
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, v]) => `${k}=${showValue(v)}`)
        .join('  ');
      const text = c.text
        .trim()
        .split('\n')
        .map((line) => `   │ ${line}`)
        .join('\n');
      return [
        `${c.rank}. ${c.score === undefined ? '-' : c.score.toFixed(4)}  ${c.uri ?? '(no source)'}`,
        ...(meta ? [`   ${meta}`] : []),
        text,
      ].join('\n');
    })
    .join('\n\n');
}

/** Maps a Retrieve failure to a message that says what to check; raw SDK details stay out. */
export function retrieveError(err: unknown, knowledgeBaseId: string, hybrid: boolean): CliError {
  const unreachable = explainNetworkFailure(err, { service: 'Bedrock Agent Runtime' });
  if (unreachable) return new CliError(unreachable);
  const name = (err as { name?: string }).name ?? 'Error';
  const message = (err as { message?: string }).message ?? String(err);
  switch (name) {
    case 'AccessDeniedException':
      return new CliError(
        `Access denied calling bedrock:Retrieve on knowledge base ${knowledgeBaseId}. Your credentials need ` +
          'bedrock:Retrieve on arn:aws:bedrock:<region>:<account>:knowledge-base/' +
          `${knowledgeBaseId}.`,
      );
    case 'ResourceNotFoundException':
      return new CliError(
        `Knowledge base ${knowledgeBaseId} not found in this account/region. Check --knowledge-base-id ` +
          '(KASS_KNOWLEDGE_BASE_ID), --stage and AWS_REGION.',
      );
    case 'ValidationException':
      return new CliError(
        `Retrieve rejected the request: ${message}` +
          (hybrid ? ' (--hybrid needs a store with a text index: OpenSearch Serverless or Aurora)' : ''),
      );
    case 'ThrottlingException':
    case 'ServiceQuotaExceededException':
      return new CliError(`Bedrock throttled the request (${name}); try again in a moment.`);
    case 'CredentialsProviderError':
      return new CliError(
        'No AWS credentials found. Configure a profile (AWS_PROFILE) or environment credentials.',
      );
    default:
      if (/region/i.test(message) && /missing/i.test(message))
        return new CliError('No AWS region configured. Set AWS_REGION (or a profile with a region).');
      return new CliError(`Retrieve failed (${name}): ${message}`);
  }
}

/**
 * The knowledge base's vector store, when it can be known: `KASS_VECTOR_STORE`, else the stack's output, but
 * only when the knowledge-base id came from the same stack (a stack without the output predates it). Unknown:
 * undefined, and Bedrock decides.
 */
async function vectorStoreOf(
  env: EnvSource,
  idFromStack: boolean,
  outputs: StackOutputs,
): Promise<VectorStoreKind | undefined> {
  const fromEnv = env.KASS_VECTOR_STORE;
  if (fromEnv !== undefined) {
    if (!isVectorStoreKind(fromEnv))
      throw new CliError(
        `KASS_VECTOR_STORE must be one of ${VECTOR_STORES.join(', ')} (got "${fromEnv}")`,
        2,
      );
    return fromEnv;
  }
  if (!idFromStack) return undefined;
  try {
    const value = await outputs.resolve({
      flagValue: undefined,
      flagName: '--knowledge-base-id',
      envVar: 'KASS_VECTOR_STORE',
      output: VECTOR_STORE_OUTPUT,
    });
    return isVectorStoreKind(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Overrides for tests: the client, the environment, the stack-output reader. */
export interface RetrieveOverrides {
  readonly client?: () => Promise<BedrockAgentRuntimeClient>;
  readonly env?: EnvSource;
  readonly stackOutputs?: (stage: string) => StackOutputs;
}

export function createRetrieve(
  overrides: RetrieveOverrides = {},
): (argv: string[], io: CliIo) => Promise<number> {
  return async (argv, io) => {
    const { values, positionals } = parseArgs({
      args: argv,
      options: {
        top: { type: 'string' },
        filter: { type: 'string', short: 'f', multiple: true },
        any: { type: 'boolean', default: false },
        hybrid: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        stage: { type: 'string', default: 'dev' },
        'knowledge-base-id': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
      strict: true,
    });
    if (values.help) {
      io.stdout.write(usage);
      return 0;
    }
    const query = positionals.join(' ').trim();
    if (!query) throw new CliError('missing query: kass retrieve "<query>"', 2);
    if (query.length > MAX_QUERY)
      throw new CliError(`the query is ${query.length} characters; the limit is ${MAX_QUERY}`, 2);
    const top = values.top === undefined ? DEFAULT_TOP : Number(values.top);
    if (!Number.isInteger(top) || top < 1 || top > MAX_TOP)
      throw new CliError(`--top must be a whole number from 1 to ${MAX_TOP} (got ${values.top})`, 2);
    const clauses: FilterClause[] = [];
    for (const expression of values.filter ?? []) {
      const parsed = parseFilter(expression);
      if (!parsed.ok) throw new CliError(`--filter ${parsed.error}`, 2);
      clauses.push(parsed.clause);
    }
    const filter = toRetrievalFilter(clauses, values.any ? 'any' : 'all');

    const env = overrides.env ?? processEnv();
    const outputs = overrides.stackOutputs?.(values.stage) ?? new StackOutputs(values.stage, overrides.env);
    const knowledgeBaseId = await outputs.resolve({
      flagValue: values['knowledge-base-id'],
      flagName: '--knowledge-base-id',
      envVar: 'KASS_KNOWLEDGE_BASE_ID',
      output: 'KnowledgeBaseId',
    });
    if (values.hybrid) {
      const idFromStack = !values['knowledge-base-id'] && !env.KASS_KNOWLEDGE_BASE_ID;
      const store = await vectorStoreOf(env, idFromStack, outputs);
      if (store && !supportsHybridSearch(store))
        throw new CliError(
          `--hybrid: ${hybridNotSupportedMessage(store)} (knowledge base ${knowledgeBaseId})`,
          2,
        );
    }

    const sdk = await import('@aws-sdk/client-bedrock-agent-runtime');
    const client = overrides.client
      ? await overrides.client()
      : diagnoseNetwork(new sdk.BedrockAgentRuntimeClient(cliClientConfig()));
    let results: KnowledgeBaseRetrievalResult[];
    try {
      const out = await client.send(
        new sdk.RetrieveCommand({
          knowledgeBaseId,
          retrievalQuery: { text: query },
          retrievalConfiguration: {
            vectorSearchConfiguration: {
              numberOfResults: top,
              ...(values.hybrid ? { overrideSearchType: 'HYBRID' as const } : {}),
              ...(filter ? { filter } : {}),
            },
          },
        }),
      );
      results = out.retrievalResults ?? [];
    } catch (err) {
      throw retrieveError(err, knowledgeBaseId, values.hybrid);
    }
    const chunks = results.map(toChunk);
    const filterText = clauses.map(formatFilter).join(values.any ? ' OR ' : ' AND ');
    if (values.json) {
      io.stdout.write(
        `${JSON.stringify({ query, knowledgeBaseId, filter: filter ?? null, results: chunks }, null, 2)}\n`,
      );
      return 0;
    }
    const how = [
      values.hybrid ? 'hybrid' : 'semantic',
      ...(filterText ? [`filter: ${filterText}`] : []),
    ].join(', ');
    io.stdout.write(
      chunks.length === 0
        ? `No results for "${query}" in knowledge base ${knowledgeBaseId} (${how}).\n`
        : `${chunks.length} result${chunks.length === 1 ? '' : 's'} for "${query}" in knowledge base ` +
            `${knowledgeBaseId} (${how}):\n\n${formatChunks(chunks)}\n`,
    );
    return 0;
  };
}

/** `kass retrieve <query> [options]` */
export const run = createRetrieve();
