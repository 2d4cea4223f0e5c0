import { type CfnTemplate, inventoryOf, modelRefOf } from '../../../cli/cost/inventory';
import { MODEL_PRICES, modelOf, tokenPrices } from '../../../contracts/prices';
import { AGENT_MODELS } from '../../../infra/config/stage-config';

const kb = (type: string) => ({
  Type: 'AWS::Bedrock::KnowledgeBase',
  Properties: {
    StorageConfiguration: { Type: type },
    KnowledgeBaseConfiguration: {
      VectorKnowledgeBaseConfiguration: {
        EmbeddingModelConfiguration: { BedrockEmbeddingModelConfiguration: { Dimensions: 512 } },
      },
    },
  },
});

const profileArn = (id: string) => ({
  'Fn::Join': [
    '',
    ['arn:', { Ref: 'AWS::Partition' }, `:bedrock:us-east-1:123456789012:inference-profile/${id}`],
  ],
});

describe('kass cost: reading a template', () => {
  it('knows a price for every model the configuration accepts', () => {
    expect(MODEL_PRICES.map((m) => m.key).sort()).toEqual([...AGENT_MODELS].sort());
  });

  it.each([
    ['us.anthropic.claude-sonnet-4-5-20250929-v1:0', 'claude-sonnet-4-5', 'us'],
    ['global.anthropic.claude-haiku-4-5-20251001-v1:0', 'claude-haiku-4-5', 'global'],
    ['eu.anthropic.claude-sonnet-4-6', 'claude-sonnet-4-6', 'eu'],
    ['anthropic.claude-3-5-sonnet-20241022-v2:0', 'claude-3-5-sonnet-v2', 'none'],
  ])('recognises %s', (id, key, geo) => {
    expect(modelOf(id)).toMatchObject({ model: { key }, geo });
  });

  it('adds the geographic premium to us./eu. profiles but not to global. or the Legacy generation', () => {
    const sonnet = MODEL_PRICES.find((m) => m.key === 'claude-sonnet-4-5');
    const legacy = MODEL_PRICES.find((m) => m.key === 'claude-3-5-sonnet-v2');
    if (!sonnet || !legacy) throw new Error('price table');
    expect(tokenPrices(sonnet, 'global')).toEqual({ input: 3, output: 15 });
    expect(tokenPrices(sonnet, 'us').input).toBeCloseTo(3.3, 9);
    expect(tokenPrices(legacy, 'us')).toEqual({ input: 3, output: 15 });
  });

  it('reads a model out of an ARN built with Fn::Join', () => {
    expect(modelRefOf(profileArn('us.anthropic.claude-sonnet-4-5-20250929-v1:0'))).toMatchObject({
      id: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
      geo: 'us',
      model: { key: 'claude-sonnet-4-5' },
    });
  });

  it('reads OpenSearch Serverless standby replicas (CloudFormation’s default is on)', () => {
    const template: CfnTemplate = {
      Resources: {
        Kb: kb('OPENSEARCH_SERVERLESS'),
        Off: { Type: 'AWS::OpenSearchServerless::Collection', Properties: { StandbyReplicas: 'DISABLED' } },
        Default: { Type: 'AWS::OpenSearchServerless::Collection', Properties: {} },
      },
    };
    expect(inventoryOf(template).vectorStore).toEqual({
      kind: 'opensearch-serverless',
      collections: [{ standbyReplicas: false }, { standbyReplicas: true }],
    });
  });

  it('reads an S3 Vectors index and its dimension', () => {
    const inv = inventoryOf({
      Resources: {
        Kb: kb('S3_VECTORS'),
        Index: { Type: 'AWS::S3Vectors::Index', Properties: { Dimension: 512 } },
      },
    });
    expect(inv.vectorStore).toEqual({ kind: 's3-vectors', indexes: [{ dimension: 512 }] });
    expect(inv.knowledgeBase?.dimensions).toBe(512);
  });

  it('reads Aurora Serverless v2 scaling, auto-pause and the Data API', () => {
    const inv = inventoryOf({
      Resources: {
        Kb: kb('RDS'),
        Cluster: {
          Type: 'AWS::RDS::DBCluster',
          Properties: {
            EnableHttpEndpoint: true,
            ServerlessV2ScalingConfiguration: { MinCapacity: 0, MaxCapacity: 2, SecondsUntilAutoPause: 600 },
          },
        },
      },
    });
    expect(inv.vectorStore).toEqual({
      kind: 'aurora-pgvector',
      clusters: [{ minAcu: 0, maxAcu: 2, autoPauseSeconds: 600, dataApi: true }],
    });
  });

  it('reads chunking and parsing of the data source', () => {
    const inv = inventoryOf({
      Resources: {
        Kb: kb('S3_VECTORS'),
        Ds: {
          Type: 'AWS::Bedrock::DataSource',
          Properties: {
            VectorIngestionConfiguration: {
              ChunkingConfiguration: {
                ChunkingStrategy: 'FIXED_SIZE',
                FixedSizeChunkingConfiguration: { MaxTokens: 512, OverlapPercentage: 20 },
              },
              ParsingConfiguration: {
                ParsingStrategy: 'BEDROCK_FOUNDATION_MODEL',
                BedrockFoundationModelConfiguration: {
                  ModelArn: profileArn('us.anthropic.claude-haiku-4-5-20251001-v1:0'),
                },
              },
            },
          },
        },
      },
    });
    expect(inv.knowledgeBase).toMatchObject({
      chunkTokens: 512,
      tokensPerChunk: 512 * 0.8,
      parsing: { strategy: 'foundation-model', model: { geo: 'us', model: { key: 'claude-haiku-4-5' } } },
    });
  });

  it('counts functions with memory and architecture, tables, APIs, network, alarms and keys', () => {
    const inv = inventoryOf({
      Resources: {
        Fn: {
          Type: 'AWS::Lambda::Function',
          Properties: {
            MemorySize: 768,
            Architectures: ['arm64'],
            Environment: { Variables: { POWERTOOLS_SERVICE_NAME: 'kass-chat' } },
          },
        },
        X86: { Type: 'AWS::Lambda::Function', Properties: {} },
        Table: {
          Type: 'AWS::DynamoDB::Table',
          Properties: {
            BillingMode: 'PAY_PER_REQUEST',
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          },
        },
        Nat: { Type: 'AWS::EC2::NatGateway' },
        Endpoint: {
          Type: 'AWS::EC2::VPCEndpoint',
          Properties: { VpcEndpointType: 'Interface', SubnetIds: ['a', 'b'] },
        },
        Gateway: { Type: 'AWS::EC2::VPCEndpoint', Properties: { VpcEndpointType: 'Gateway' } },
        Ws: { Type: 'AWS::ApiGatewayV2::Api', Properties: { ProtocolType: 'WEBSOCKET' } },
        Http: { Type: 'AWS::ApiGatewayV2::Api', Properties: { ProtocolType: 'HTTP' } },
        Dash: { Type: 'AWS::CloudWatch::Dashboard' },
        Key: { Type: 'AWS::KMS::Key' },
      },
    });
    expect(inv.vectorStore).toEqual({ kind: 'none' });
    expect(inv.functions).toEqual([
      { logicalId: 'Fn', service: 'kass-chat', memoryMb: 768, arm: true },
      { logicalId: 'X86', service: 'X86', memoryMb: 128, arm: false },
    ]);
    expect(inv).toMatchObject({
      tables: { count: 1, onDemand: 1, pitr: 1 },
      natGateways: 1,
      interfaceEndpointAzs: 2,
      webSocketApis: 1,
      dashboards: 1,
      kmsKeys: 1,
    });
  });
});
