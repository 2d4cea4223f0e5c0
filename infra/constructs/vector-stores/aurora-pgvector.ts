import { type CfnResource, CustomResource, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as bedrock from 'aws-cdk-lib/aws-bedrock';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import { HNSW_LIMITS, PGVECTOR_SCHEMA, PGVECTOR_TABLE } from '../../../functions/pgvector-schema/schema';
import { ConfigError } from '../../config/config-error';
import { KassFunction, type KassFunctionDefaults } from '../kass-function';
import type { VectorStore, VectorStoreProps } from './vector-store';

/** Aurora PostgreSQL with pgvector 0.8, auto-pause (minimum 0 ACU) and the Data API for Serverless v2. */
export const AURORA_ENGINE_VERSION = rds.AuroraPostgresEngineVersion.VER_16_6;

export interface AuroraPgvectorStoreProps extends VectorStoreProps {
  /** House settings of the schema custom-resource Lambda (log level, retention). */
  readonly functionDefaults: KassFunctionDefaults;
}

/**
 * The vector store on Aurora PostgreSQL Serverless v2 with pgvector (the original design's optional RDS):
 *
 * - the cluster sits in a VPC of isolated subnets in two AZs: no NAT, no internet route, no security-group
 *   ingress. Nothing connects to it over the network: Bedrock and the schema Lambda use the RDS Data API
 *   (HTTPS, IAM + Secrets Manager), which needs no route into the VPC;
 * - `minCapacityAcu: 0` (dev) pauses the cluster after `autoPauseSeconds` idle: no compute charge while paused,
 *   and the first query after a pause waits ~15 s (~30 s after a day) while it resumes;
 * - the master credentials and Bedrock's own database user each live in a Secrets Manager secret;
 * - a custom resource (a house Lambda calling ExecuteStatement, one statement per call, retried while the
 *   cluster resumes) creates the schema Bedrock requires: the pgvector extension, the table, an HNSW cosine
 *   index on the embedding, a GIN full-text index on the chunks and a GIN index on the custom metadata. No
 *   Docker, no psql, no network path.
 *
 * Cluster and secret names are generated, so replacing the store never collides with the one it replaces.
 */
export class AuroraPgvectorStore extends Construct implements VectorStore {
  public readonly kind = 'aurora-pgvector' as const;
  public readonly vpc: ec2.Vpc;
  public readonly cluster: rds.DatabaseCluster;
  /** Bedrock's login (`bedrock_user`): the only credentials the knowledge base role may read. */
  public readonly bedrockSecret: rds.DatabaseSecret;
  public readonly schemaFunction: KassFunction;
  public readonly schema: CustomResource;
  public readonly storageConfiguration: bedrock.CfnKnowledgeBase.StorageConfigurationProperty;
  public readonly roleStatements: readonly iam.PolicyStatement[];
  public readonly roleAcknowledgements: readonly { readonly id: string; readonly reason: string }[] = [];
  public readonly knowledgeBaseDependencies: readonly CfnResource[];

  constructor(scope: Construct, id: string, props: AuroraPgvectorStoreProps) {
    super(scope, id);
    const { config } = props;
    const aurora = config.aurora;
    const { m, efConstruction } = config.vectorIndex;
    if (efConstruction > HNSW_LIMITS.efConstruction.max || m > HNSW_LIMITS.m.max) {
      throw new ConfigError('knowledge base', [
        `vectorIndex: pgvector allows m up to ${HNSW_LIMITS.m.max} and efConstruction up to ` +
          `${HNSW_LIMITS.efConstruction.max} (got m ${m}, efConstruction ${efConstruction}) with vectorStore 'aurora-pgvector'`,
      ]);
    }
    const removal = props.retainData ? RemovalPolicy.SNAPSHOT : RemovalPolicy.DESTROY;

    const flowLogs = new logs.LogGroup(this, 'FlowLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'database', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
      // The default security group is unused (the cluster has its own, without ingress); restricting it would
      // add a custom-resource Lambda outside the house construct.
      restrictDefaultSecurityGroup: false,
      flowLogs: {
        rejected: {
          destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs),
          trafficType: ec2.FlowLogTrafficType.REJECT,
        },
      },
    });

    // No ingress and no egress: nothing reaches the cluster, nor does it reach anything, over the network.
    const securityGroup = new ec2.SecurityGroup(this, 'ClusterSecurityGroup', {
      vpc: this.vpc,
      description: 'KASS vector store: Data API only, no network access',
      allowAllOutbound: false,
    });
    this.cluster = new rds.DatabaseCluster(this, 'Cluster', {
      engine: rds.DatabaseClusterEngine.auroraPostgres({ version: AURORA_ENGINE_VERSION }),
      credentials: rds.Credentials.fromGeneratedSecret('kass_admin'),
      defaultDatabaseName: PGVECTOR_SCHEMA.database,
      writer: rds.ClusterInstance.serverlessV2('Writer', { publiclyAccessible: false }),
      serverlessV2MinCapacity: aurora.minCapacityAcu,
      serverlessV2MaxCapacity: aurora.maxCapacityAcu,
      ...(aurora.minCapacityAcu === 0
        ? { serverlessV2AutoPauseDuration: Duration.seconds(aurora.autoPauseSeconds) }
        : {}),
      enableDataApi: true,
      iamAuthentication: true,
      storageEncrypted: true,
      vpc: this.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroups: [securityGroup],
      deletionProtection: props.retainData,
      removalPolicy: removal,
      backup: { retention: Duration.days(props.retainData ? 7 : 1) },
    });
    const masterSecret = this.cluster.secret;
    if (!masterSecret) throw new Error('AuroraPgvectorStore: the cluster has no generated secret');

    this.bedrockSecret = new rds.DatabaseSecret(this, 'BedrockUserSecret', {
      username: PGVECTOR_SCHEMA.user,
      // The verifier, not the password, reaches SQL; characters that would need quoting are still left out.
      excludeCharacters: ' %+~`#$&*()|[]{}:;<>?!\'/@"\\,=',
    });
    const bedrockSecret = this.bedrockSecret.attach(this.cluster);

    this.schemaFunction = new KassFunction(this, 'SchemaFunction', {
      ...props.functionDefaults,
      entry: 'functions/pgvector-schema/handler.ts',
      description: 'Custom resource: creates the pgvector schema Bedrock needs (RDS Data API)',
      serviceName: 'kass-pgvector-schema',
      // Long enough to wait for a paused or new cluster to resume (the handler answers a minute before this).
      settings: { memoryMb: 256, timeoutSeconds: 600 },
    });
    this.cluster.grantDataApiAccess(this.schemaFunction.role);
    this.bedrockSecret.grantRead(this.schemaFunction.role);

    this.schema = new CustomResource(this, 'Schema', {
      serviceToken: this.schemaFunction.function.functionArn,
      resourceType: 'Custom::PgvectorSchema',
      properties: {
        ClusterArn: this.cluster.clusterArn,
        SecretArn: masterSecret.secretArn,
        BedrockUserSecretArn: bedrockSecret.secretArn,
        Database: PGVECTOR_SCHEMA.database,
        Dimensions: config.embedding.dimensions,
        HnswM: m,
        HnswEfConstruction: efConstruction,
      },
    });
    // The statements need a writer to run on, not just the cluster resource.
    this.schema.node.addDependency(this.cluster);

    this.roleStatements = [
      new iam.PolicyStatement({
        sid: 'VectorStoreCluster',
        actions: ['rds:DescribeDBClusters'],
        resources: [this.cluster.clusterArn],
      }),
      new iam.PolicyStatement({
        sid: 'VectorStore',
        actions: ['rds-data:ExecuteStatement', 'rds-data:BatchExecuteStatement'],
        resources: [this.cluster.clusterArn],
      }),
      new iam.PolicyStatement({
        sid: 'VectorStoreCredentials',
        actions: ['secretsmanager:GetSecretValue'],
        resources: [bedrockSecret.secretArn],
      }),
    ];
    const f = PGVECTOR_SCHEMA.fields;
    this.storageConfiguration = {
      type: 'RDS',
      rdsConfiguration: {
        resourceArn: this.cluster.clusterArn,
        credentialsSecretArn: bedrockSecret.secretArn,
        databaseName: PGVECTOR_SCHEMA.database,
        tableName: PGVECTOR_TABLE,
        fieldMapping: {
          primaryKeyField: f.primaryKey,
          vectorField: f.vector,
          textField: f.text,
          metadataField: f.metadata,
          customMetadataField: f.customMetadata,
        },
      },
    };
    // Bedrock checks the table and its indexes when the knowledge base is created.
    this.knowledgeBaseDependencies = [this.schema.node.defaultChild as CfnResource];

    const stack = Stack.of(this);
    if (!props.retainData) {
      Validations.of(this.cluster).acknowledge({
        id: 'AwsSolutions-RDS10',
        reason:
          'Dev: the cluster holds only vectors rebuilt from the documents bucket by kass sync, and switching the ' +
          'vector store must be able to delete it; prod turns deletion protection on.',
      });
    }
    // The master secret is the cluster's child; Bedrock's is this store's.
    for (const secret of [this.cluster, this.bedrockSecret]) {
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'Rotation needs a rotation Lambda inside the isolated VPC with a Secrets Manager endpoint (an hourly cost ' +
          `the store avoids); rotate by updating the secret and redeploying (${stack.stackName}).`,
      });
    }
  }
}
