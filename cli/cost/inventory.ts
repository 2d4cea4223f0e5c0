import { type InferenceGeo, type ModelPrice, modelOf } from '../../contracts/prices';

/**
 * What a synthesized (or deployed) CloudFormation template of the KASS stack contains that costs money:
 * the vector store and its settings, the knowledge base's embedding and parsing, the agent's model and
 * guardrail, every Lambda function with its memory, tables, APIs, network, alarms, dashboards, secrets, keys.
 * Pure: reads template JSON, knows nothing of CDK.
 */

export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

export interface CfnTemplate {
  readonly Resources?: Record<string, TemplateResource>;
}

export type VectorStoreKind = 'opensearch-serverless' | 's3-vectors' | 'aurora-pgvector';

export type VectorStoreInventory =
  | {
      readonly kind: 'opensearch-serverless';
      readonly collections: readonly { readonly standbyReplicas: boolean }[];
    }
  | { readonly kind: 's3-vectors'; readonly indexes: readonly { readonly dimension: number }[] }
  | {
      readonly kind: 'aurora-pgvector';
      readonly clusters: readonly {
        readonly minAcu: number;
        readonly maxAcu: number;
        /** Seconds idle before a cluster with `minAcu` 0 pauses. */
        readonly autoPauseSeconds?: number;
        readonly dataApi: boolean;
      }[];
    }
  | { readonly kind: 'none' };

export type ParsingStrategy = 'default' | 'foundation-model' | 'data-automation';

export interface ModelRef {
  /** The priced model, if known. */
  readonly model?: ModelPrice;
  readonly geo: InferenceGeo;
  /** The id as the template names it. */
  readonly id: string;
}

export interface KnowledgeBaseInventory {
  readonly dimensions: number;
  /** Tokens of text stored with each vector (the chunk). */
  readonly chunkTokens: number;
  /** New text per chunk (tokens): the chunk size minus the overlap it repeats. */
  readonly tokensPerChunk: number;
  readonly chunking: string;
  readonly parsing: { readonly strategy: ParsingStrategy; readonly model?: ModelRef };
}

export interface FunctionInventory {
  readonly logicalId: string;
  /** `POWERTOOLS_SERVICE_NAME` (`kass-chat`, `kass-report`, …), else the logical id. */
  readonly service: string;
  readonly memoryMb: number;
  readonly arm: boolean;
  /** The model a tool calls itself (`MODEL_ID`), if any. */
  readonly model?: ModelRef;
}

export interface GuardrailInventory {
  readonly contentFilters: boolean;
  readonly deniedTopics: boolean;
  readonly pii: boolean;
  readonly grounding: boolean;
}

export interface Inventory {
  readonly vectorStore: VectorStoreInventory;
  readonly knowledgeBase?: KnowledgeBaseInventory;
  readonly agent?: { readonly model: ModelRef; readonly memory: boolean };
  readonly guardrail?: GuardrailInventory;
  readonly functions: readonly FunctionInventory[];
  readonly tables: { readonly count: number; readonly onDemand: number; readonly pitr: number };
  readonly restApis: number;
  readonly webSocketApis: number;
  readonly natGateways: number;
  /** Interface endpoints, each billed per AZ (subnet) it sits in. */
  readonly interfaceEndpointAzs: number;
  readonly alarms: number;
  readonly dashboards: number;
  readonly secrets: number;
  readonly kmsKeys: number;
  readonly queues: number;
  readonly userPools: number;
  readonly webAcls: readonly { readonly rules: number }[];
  readonly logGroups: number;
}

const STORE_TYPES: Readonly<Record<string, VectorStoreKind>> = {
  OPENSEARCH_SERVERLESS: 'opensearch-serverless',
  S3_VECTORS: 's3-vectors',
  RDS: 'aurora-pgvector',
};

const obj = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const num = (v: unknown, fallback: number): number => {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : fallback;
};

/** A model reference out of an ARN or id that may be wrapped in intrinsics (Fn::Join): its text is enough. */
export function modelRefOf(value: unknown): ModelRef | undefined {
  if (value === undefined) return undefined;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const id = /(?:inference-profile|foundation-model)\/([\w.:-]+)/.exec(text)?.[1] ?? text;
  const found = modelOf(text);
  return found ? { model: found.model, geo: found.geo, id } : { geo: 'none', id };
}

function chunkingOf(config: Record<string, unknown>): {
  chunkTokens: number;
  tokensPerChunk: number;
  label: string;
} {
  const strategy = config.ChunkingStrategy;
  if (strategy === 'FIXED_SIZE') {
    const fixed = obj(config.FixedSizeChunkingConfiguration);
    const max = num(fixed.MaxTokens, 300);
    const overlap = num(fixed.OverlapPercentage, 20);
    return {
      chunkTokens: max,
      tokensPerChunk: max * (1 - overlap / 100),
      label: `fixed ${max} tokens, ${overlap} % overlap`,
    };
  }
  if (strategy === 'HIERARCHICAL') {
    const h = obj(config.HierarchicalChunkingConfiguration);
    const child = num(obj(arr(h.LevelConfigurations)[1]).MaxTokens, 300);
    // Child chunks are what gets embedded.
    return {
      chunkTokens: child,
      tokensPerChunk: Math.max(child - num(h.OverlapTokens, 0), 1),
      label: `hierarchical, ${child}-token children`,
    };
  }
  if (strategy === 'SEMANTIC') {
    const max = num(obj(config.SemanticChunkingConfiguration).MaxTokens, 300);
    return { chunkTokens: max, tokensPerChunk: max, label: `semantic, up to ${max} tokens` };
  }
  if (strategy === 'NONE')
    return { chunkTokens: 2000, tokensPerChunk: 2000, label: 'none (one chunk per document, ~2,000 tokens)' };
  // Bedrock's default when no chunking is given: about 300 tokens, sentence-aware.
  return { chunkTokens: 300, tokensPerChunk: 300, label: 'default (~300 tokens)' };
}

function parsingOf(config: Record<string, unknown>): KnowledgeBaseInventory['parsing'] {
  const parsing = obj(config.ParsingConfiguration);
  if (parsing.ParsingStrategy === 'BEDROCK_FOUNDATION_MODEL') {
    const model = modelRefOf(obj(parsing.BedrockFoundationModelConfiguration).ModelArn);
    return { strategy: 'foundation-model', ...(model ? { model } : {}) };
  }
  if (parsing.ParsingStrategy === 'BEDROCK_DATA_AUTOMATION') return { strategy: 'data-automation' };
  return { strategy: 'default' };
}

/** Reads the priced inventory out of a template. */
export function inventoryOf(template: CfnTemplate): Inventory {
  const resources = Object.entries(template.Resources ?? {});
  const ofType = (type: string) =>
    resources.filter(([, r]) => r.Type === type).map(([id, r]) => ({ id, p: r.Properties ?? {} }));
  const count = (type: string) => ofType(type).length;

  const kb = ofType('AWS::Bedrock::KnowledgeBase')[0]?.p;
  const storeKind = kb ? STORE_TYPES[String(obj(kb.StorageConfiguration).Type)] : undefined;
  let vectorStore: VectorStoreInventory = { kind: 'none' };
  if (storeKind === 'opensearch-serverless') {
    vectorStore = {
      kind: storeKind,
      collections: ofType('AWS::OpenSearchServerless::Collection').map(({ p }) => ({
        // CloudFormation's default is ENABLED.
        standbyReplicas: p.StandbyReplicas !== 'DISABLED',
      })),
    };
  } else if (storeKind === 's3-vectors') {
    vectorStore = {
      kind: storeKind,
      indexes: ofType('AWS::S3Vectors::Index').map(({ p }) => ({ dimension: num(p.Dimension, 1024) })),
    };
  } else if (storeKind === 'aurora-pgvector') {
    vectorStore = {
      kind: storeKind,
      clusters: ofType('AWS::RDS::DBCluster').map(({ p }) => {
        const scaling = obj(p.ServerlessV2ScalingConfiguration);
        const pause = scaling.SecondsUntilAutoPause;
        return {
          minAcu: num(scaling.MinCapacity, 0.5),
          maxAcu: num(scaling.MaxCapacity, 1),
          ...(pause === undefined ? {} : { autoPauseSeconds: num(pause, 300) }),
          dataApi: p.EnableHttpEndpoint === true,
        };
      }),
    };
  }

  let knowledgeBase: KnowledgeBaseInventory | undefined;
  if (kb) {
    const vector = obj(obj(kb.KnowledgeBaseConfiguration).VectorKnowledgeBaseConfiguration);
    const dims = obj(obj(vector.EmbeddingModelConfiguration).BedrockEmbeddingModelConfiguration).Dimensions;
    const ingestion = obj(ofType('AWS::Bedrock::DataSource')[0]?.p.VectorIngestionConfiguration);
    const chunking = chunkingOf(obj(ingestion.ChunkingConfiguration));
    knowledgeBase = {
      dimensions: num(dims, 1024),
      chunkTokens: chunking.chunkTokens,
      tokensPerChunk: chunking.tokensPerChunk,
      chunking: chunking.label,
      parsing: parsingOf(ingestion),
    };
  }

  const agentProps = ofType('AWS::Bedrock::Agent')[0]?.p;
  const agentModel = agentProps ? modelRefOf(agentProps.FoundationModel) : undefined;

  const guardrailProps = ofType('AWS::Bedrock::Guardrail')[0]?.p;
  const guardrail = guardrailProps
    ? {
        contentFilters: arr(obj(guardrailProps.ContentPolicyConfig).FiltersConfig).length > 0,
        deniedTopics: arr(obj(guardrailProps.TopicPolicyConfig).TopicsConfig).length > 0,
        // Regexes alone are free; PII entity detection is what is billed.
        pii: arr(obj(guardrailProps.SensitiveInformationPolicyConfig).PiiEntitiesConfig).length > 0,
        grounding: arr(obj(guardrailProps.ContextualGroundingPolicyConfig).FiltersConfig).length > 0,
      }
    : undefined;

  const functions = ofType('AWS::Lambda::Function').map(({ id, p }): FunctionInventory => {
    const env = obj(obj(p.Environment).Variables);
    const service = typeof env.POWERTOOLS_SERVICE_NAME === 'string' ? env.POWERTOOLS_SERVICE_NAME : id;
    const model = typeof env.MODEL_ID === 'string' ? modelRefOf(env.MODEL_ID) : undefined;
    return {
      logicalId: id,
      service,
      memoryMb: num(p.MemorySize, 128),
      arm: arr(p.Architectures).includes('arm64'),
      ...(model ? { model } : {}),
    };
  });

  const tables = ofType('AWS::DynamoDB::Table');
  return {
    vectorStore,
    ...(knowledgeBase ? { knowledgeBase } : {}),
    ...(agentModel
      ? {
          agent: {
            model: agentModel,
            memory: arr(obj(agentProps?.MemoryConfiguration).EnabledMemoryTypes).length > 0,
          },
        }
      : {}),
    ...(guardrail ? { guardrail } : {}),
    functions,
    tables: {
      count: tables.length,
      onDemand: tables.filter(({ p }) => p.BillingMode === 'PAY_PER_REQUEST').length,
      pitr: tables.filter(
        ({ p }) => obj(p.PointInTimeRecoverySpecification).PointInTimeRecoveryEnabled === true,
      ).length,
    },
    restApis: count('AWS::ApiGateway::RestApi'),
    webSocketApis: ofType('AWS::ApiGatewayV2::Api').filter(({ p }) => p.ProtocolType === 'WEBSOCKET').length,
    natGateways: count('AWS::EC2::NatGateway'),
    interfaceEndpointAzs: ofType('AWS::EC2::VPCEndpoint')
      .filter(({ p }) => p.VpcEndpointType === 'Interface')
      .reduce((sum, { p }) => sum + Math.max(arr(p.SubnetIds).length, 1), 0),
    alarms: count('AWS::CloudWatch::Alarm') + count('AWS::CloudWatch::CompositeAlarm'),
    dashboards: count('AWS::CloudWatch::Dashboard'),
    secrets: count('AWS::SecretsManager::Secret'),
    kmsKeys: count('AWS::KMS::Key'),
    queues: count('AWS::SQS::Queue'),
    userPools: count('AWS::Cognito::UserPool'),
    webAcls: ofType('AWS::WAFv2::WebACL').map(({ p }) => ({ rules: arr(p.Rules).length })),
    logGroups: count('AWS::Logs::LogGroup'),
  };
}
