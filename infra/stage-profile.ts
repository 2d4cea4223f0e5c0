/**
 * What makes one stage's template differ from another's (dev and prod look alike in a resource count): the
 * engine, memory, how documents become vectors and where they live, who may call the API, what survives a
 * `cdk destroy`, and the outputs the `kass` CLI reads. Read from the synthesized template, not the config, so
 * it reports what would be deployed.
 */

type Resource = { Type: string; Properties?: Record<string, unknown>; DeletionPolicy?: string };
type Template = { Resources?: Record<string, Resource>; Outputs?: Record<string, unknown> };

export interface StageProfile {
  /** `classic` (Bedrock Agent), `agentcore` (harness + gateway) or `none` (no agent in the template). */
  readonly engine: 'classic' | 'agentcore' | 'none';
  /** e.g. `session summaries, kept 30 days, last 20 sessions`, or `off`. */
  readonly memory: string;
  /** Per knowledge base: embedding model, vector store and chunking. */
  readonly knowledge: readonly { embeddings: string; store: string; chunking: string }[];
  /** The documents bucket the data source reads: versioning, encryption, access logs, fate on delete. */
  readonly documentsBucket?: string;
  /** Who may call the chat API: API keys, Cognito, WAF. */
  readonly apiAccess?: string;
  /** The hosted web page, if any. */
  readonly webPage: string;
  /** What `cdk destroy` keeps and how long logs are kept. */
  readonly dataRetention: string;
  /** CloudFormation outputs (CDK's hash-suffixed automatic ones left out): what `kass` reads. */
  readonly outputs: readonly string[];
}

const asString = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));
const record = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
/** The logical id an `{ "Fn::GetAtt": [id, …] }` or `{ Ref: id }` points at. */
const targetOf = (v: unknown): string | undefined => {
  const ref = record(v);
  const getAtt = list(ref['Fn::GetAtt'])[0];
  return typeof getAtt === 'string' ? getAtt : typeof ref.Ref === 'string' ? ref.Ref : undefined;
};

function memoryOf(resources: Resource[]): string {
  const agent = resources.find((r) => r.Type === 'AWS::Bedrock::Agent')?.Properties;
  const memory = record(agent?.MemoryConfiguration);
  if (list(memory.EnabledMemoryTypes).length > 0) {
    const recent = record(memory.SessionSummaryConfiguration).MaxRecentSessions;
    return `session summaries, kept ${asString(memory.StorageDays)} days, last ${asString(recent)} sessions`;
  }
  const core = resources.find((r) => r.Type === 'AWS::BedrockAgentCore::Memory')?.Properties;
  if (core) return `AgentCore summaries, events kept ${asString(core.EventExpiryDuration)} days`;
  return 'off';
}

function storeOf(kb: Record<string, unknown>, byId: Record<string, Resource>): string {
  const storage = record(kb.StorageConfiguration);
  const ofType = (type: string) => Object.values(byId).find((r) => r.Type === type)?.Properties ?? {};
  switch (storage.Type) {
    case 'OPENSEARCH_SERVERLESS': {
      const collection =
        byId[targetOf(record(storage.OpensearchServerlessConfiguration).CollectionArn) ?? ''];
      const props = collection?.Properties ?? {};
      return `OpenSearch Serverless collection ${asString(props.Name)}, standby replicas ${
        props.StandbyReplicas === 'DISABLED' ? 'off' : 'on'
      }`;
    }
    case 'S3_VECTORS': {
      const index = ofType('AWS::S3Vectors::Index');
      return `S3 Vectors index, ${asString(index.Dimension)} dimensions, ${asString(index.DistanceMetric)}`;
    }
    case 'RDS': {
      const scaling = record(ofType('AWS::RDS::DBCluster').ServerlessV2ScalingConfiguration);
      const pauses = scaling.MinCapacity === 0;
      return `Aurora PostgreSQL Serverless v2 (pgvector), ${asString(scaling.MinCapacity)}-${asString(
        scaling.MaxCapacity,
      )} ACU, ${pauses ? `pauses after ${asString(scaling.SecondsUntilAutoPause)} s idle` : 'never pauses'}`;
    }
    default:
      return asString(storage.Type);
  }
}

function chunkingOf(dataSource: Record<string, unknown> | undefined): string {
  const chunking = record(record(dataSource?.VectorIngestionConfiguration).ChunkingConfiguration);
  const fixed = record(chunking.FixedSizeChunkingConfiguration);
  if (chunking.ChunkingStrategy === 'FIXED_SIZE') {
    return `fixed-size ${asString(fixed.MaxTokens)} tokens, ${asString(fixed.OverlapPercentage)} % overlap`;
  }
  return typeof chunking.ChunkingStrategy === 'string' ? chunking.ChunkingStrategy.toLowerCase() : 'default';
}

function knowledgeOf(byId: Record<string, Resource>): StageProfile['knowledge'] {
  const all = Object.entries(byId);
  return all
    .filter(([, r]) => r.Type === 'AWS::Bedrock::KnowledgeBase')
    .map(([id, r]) => {
      const kb = r.Properties ?? {};
      const vector = record(record(kb.KnowledgeBaseConfiguration).VectorKnowledgeBaseConfiguration);
      const model = /foundation-model\/([\w.:-]+)/.exec(asString(vector.EmbeddingModelArn))?.[1] ?? '?';
      const dimensions = record(
        record(vector.EmbeddingModelConfiguration).BedrockEmbeddingModelConfiguration,
      ).Dimensions;
      const dataSource = all.find(
        ([, d]) => d.Type === 'AWS::Bedrock::DataSource' && targetOf(d.Properties?.KnowledgeBaseId) === id,
      )?.[1].Properties;
      return {
        embeddings: `${model}${dimensions === undefined ? '' : ` (${asString(dimensions)} dimensions)`}`,
        store: storeOf(kb, byId),
        chunking: chunkingOf(dataSource),
      };
    });
}

function documentsBucketOf(byId: Record<string, Resource>): string | undefined {
  const dataSource = Object.values(byId).find((r) => r.Type === 'AWS::Bedrock::DataSource')?.Properties;
  const s3 = record(record(dataSource?.DataSourceConfiguration).S3Configuration);
  const id = targetOf(s3.BucketArn);
  const bucket = id ? byId[id] : undefined;
  if (!id || !bucket) return undefined;
  const p = bucket.Properties ?? {};
  const encryption = record(
    record(list(record(p.BucketEncryption).ServerSideEncryptionConfiguration)[0])
      .ServerSideEncryptionByDefault,
  ).SSEAlgorithm;
  const logsTo = targetOf(record(p.LoggingConfiguration).DestinationBucketName);
  return [
    `${id.replace(/[0-9A-F]{8}$/, '')} (prefixes ${list(s3.InclusionPrefixes).map(asString).join(', ') || 'all'})`,
    record(p.VersioningConfiguration).Status === 'Enabled' ? 'versioned' : 'not versioned',
    encryption ? `encrypted ${asString(encryption)}` : 'not encrypted',
    logsTo ? `access logs to ${logsTo.replace(/[0-9A-F]{8}$/, '')}` : 'no access logs',
    bucket.DeletionPolicy === 'Retain'
      ? 'kept when the stack is deleted'
      : 'deleted with the stack (when empty)',
  ].join(', ');
}

function apiAccessOf(resources: Resource[]): string | undefined {
  if (!resources.some((r) => r.Type === 'AWS::ApiGateway::RestApi')) return undefined;
  const keys = resources.filter((r) => r.Type === 'AWS::ApiGateway::ApiKey').length;
  const cognito = resources.some(
    (r) => r.Type === 'AWS::ApiGateway::Authorizer' && r.Properties?.Type === 'COGNITO_USER_POOLS',
  );
  const waf = resources.find((r) => r.Type === 'AWS::WAFv2::WebACL')?.Properties;
  const wafRules = list(waf?.Rules).map((rule) => asString(record(rule).Name));
  return [
    `${keys} API key(s)`,
    cognito ? 'Cognito user-pool sign-in on' : 'Cognito off',
    waf ? `WAF on (${wafRules.join(', ')})` : 'WAF off',
  ].join('; ');
}

function dataRetentionOf(resources: Resource[]): string {
  const tables = resources.filter((r) => r.Type === 'AWS::DynamoDB::Table');
  const keptTables = tables.filter((t) => t.DeletionPolicy === 'Retain').length;
  const protectedTables = tables.filter((t) => t.Properties?.DeletionProtectionEnabled === true).length;
  const buckets = resources.filter((r) => r.Type === 'AWS::S3::Bucket');
  const keptBuckets = buckets.filter((b) => b.DeletionPolicy === 'Retain').length;
  const days = [
    ...new Set(
      resources
        .filter((r) => r.Type === 'AWS::Logs::LogGroup')
        .map((r) => r.Properties?.RetentionInDays)
        .filter((d): d is number => typeof d === 'number'),
    ),
  ].sort((a, b) => a - b);
  const logs =
    days.length === 0
      ? 'no log groups'
      : `logs kept ${days.length === 1 ? days[0] : `${days[0]}-${days[days.length - 1]}`} days`;
  return (
    `cdk destroy keeps ${keptTables}/${tables.length} tables (${protectedTables} deletion-protected) and ` +
    `${keptBuckets}/${buckets.length} buckets; ${logs}`
  );
}

/** The stage's profile, read from its synthesized template. */
export function profileOf(template: Template): StageProfile {
  const byId = template.Resources ?? {};
  const resources = Object.values(byId);
  const has = (type: string) => resources.some((r) => r.Type === type);
  const documentsBucket = documentsBucketOf(byId);
  const apiAccess = apiAccessOf(resources);
  return {
    engine: has('AWS::Bedrock::Agent')
      ? 'classic'
      : has('AWS::BedrockAgentCore::Harness')
        ? 'agentcore'
        : 'none',
    memory: memoryOf(resources),
    knowledge: knowledgeOf(byId),
    ...(documentsBucket ? { documentsBucket } : {}),
    ...(apiAccess ? { apiAccess } : {}),
    webPage: has('AWS::CloudFront::Distribution') ? 'hosted on CloudFront (output WebUrl)' : 'not hosted',
    dataRetention: dataRetentionOf(resources),
    outputs: Object.keys(template.Outputs ?? {}).filter((name) => !/[0-9A-F]{8}$/.test(name)),
  };
}

const ENGINES: Record<StageProfile['engine'], string> = {
  classic: 'classic (Bedrock Agent; InvokeAgent on the stage alias)',
  agentcore: 'agentcore (AgentCore harness and gateway; InvokeHarness on the stage endpoint)',
  none: 'none (no agent in this stack)',
};

/** `items` joined with ', ' on lines of at most `width` characters, the first after `head`. */
function wrapList(head: string, items: readonly string[], width = 110): string[] {
  const indent = ' '.repeat(4);
  const lines: string[] = [];
  let line = head;
  for (const [i, item] of items.entries()) {
    const piece = `${item}${i < items.length - 1 ? ',' : ''}`;
    if (line.length + piece.length + 1 > width && line.trim() !== head.trim()) {
      lines.push(line);
      line = `${indent}${piece}`;
    } else line = `${line}${line.endsWith(' ') ? '' : ' '}${piece}`;
  }
  return [...lines, line];
}

/** The profile as report lines (two-space indented, like the rest of the synth summary). */
export function formatProfile(p: StageProfile): string[] {
  return [
    `  Engine: ${ENGINES[p.engine]}; memory ${p.memory}`,
    ...p.knowledge.map((k) => `  Knowledge: embeddings ${k.embeddings}; ${k.store}; chunking ${k.chunking}`),
    ...(p.documentsBucket ? [`  Documents bucket: ${p.documentsBucket}`] : []),
    ...(p.apiAccess ? [`  API access: ${p.apiAccess}`] : []),
    `  Web page: ${p.webPage}`,
    `  Data: ${p.dataRetention}`,
    ...wrapList('  Outputs (what kass reads):', p.outputs.length > 0 ? p.outputs : ['none']),
  ];
}
