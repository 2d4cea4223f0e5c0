import { type CfnResource, DefaultStackSynthesizer, Fn, Stack } from 'aws-cdk-lib';
import type * as bedrock from 'aws-cdk-lib/aws-bedrock';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as aoss from 'aws-cdk-lib/aws-opensearchserverless';
import { Construct } from 'constructs';
import { ConfigError } from '../../config/config-error';
import { COLLECTION_TYPE, VECTOR_METHOD } from '../../config/knowledge-config';
import { nagResource } from '../nag-ids';
import type { VectorStore, VectorStoreProps } from './vector-store';

/** Index and field names: the index mapping and the knowledge base's field mapping must name the same fields. */
export const VECTOR_INDEX = {
  name: 'kass-index',
  vectorField: 'kass-vector',
  textField: 'AMAZON_BEDROCK_TEXT_CHUNK',
  metadataField: 'AMAZON_BEDROCK_METADATA',
} as const;

/** Collection names: 3–32 characters, lower-case letters, digits and dashes, starting with a letter. */
const COLLECTION_NAME = /^[a-z][a-z0-9-]{2,31}$/;
/** Security-policy names have the same limit, and ours append up to `-data`. */
const POLICY_SUFFIXES = ['-enc', '-net', '-data'] as const;

/**
 * The collection (and knowledge base) name of a stage and vector-store generation, validated against the
 * OpenSearch Serverless limits. Generation 1 has no suffix (the names the first deploys got); later ones end
 * in `-g<n>`, so a replacement never collides with the store it replaces.
 */
export function collectionNameFor(stage: string, generation = 1): string {
  const name = `kass-${stage}-docs${generation > 1 ? `-g${generation}` : ''}`;
  const tooLong = POLICY_SUFFIXES.map((s) => `${name}${s}`).find((p) => p.length > 32);
  if (!COLLECTION_NAME.test(name) || tooLong) {
    throw new ConfigError('knowledge base', [
      `stage: '${stage}' gives the collection name '${name}'; OpenSearch Serverless needs 3-32 lower-case ` +
        `letters, digits or dashes, and its policy names ('${tooLong ?? `${name}-data`}') at most 32 characters. ` +
        'Use a shorter stage name.',
    ]);
  }
  return name;
}

export interface OpenSearchServerlessStoreProps extends VectorStoreProps {
  /**
   * The role CloudFormation uses to create the index; it needs data access to the collection.
   * @default - the CloudFormation execution role of the stack's DefaultStackSynthesizer
   */
  readonly indexCreatorRoleArn?: string;
}

/**
 * The vector store on OpenSearch Serverless, in L1 resources only (no custom resource, no Docker, no PyPI):
 * encryption + network policies → VECTORSEARCH collection → native vector index. The data-access policy needs
 * only names and the role ARNs, so it is created at the start, beside the collection; the index and the
 * knowledge base wait for it. Names and logical ids carry `vectorStoreGeneration` from 2 on.
 * Billed by the OCU-hour whether or not anyone searches: 2 OCU with standby replicas, 1 without (dev).
 */
export class OpenSearchServerlessStore extends Construct implements VectorStore {
  public readonly kind = 'opensearch-serverless' as const;
  public readonly collection: aoss.CfnCollection;
  public readonly index: aoss.CfnIndex;
  /** The collection's data-access policy (KB role + deploy role); the index and the KB are created after it. */
  public readonly dataAccessPolicy: aoss.CfnAccessPolicy;
  public readonly storageConfiguration: bedrock.CfnKnowledgeBase.StorageConfigurationProperty;
  public readonly roleStatements: readonly iam.PolicyStatement[];
  public readonly roleAcknowledgements: readonly { readonly id: string; readonly reason: string }[];
  public readonly knowledgeBaseDependencies: readonly CfnResource[];

  constructor(scope: Construct, id: string, props: OpenSearchServerlessStoreProps) {
    super(scope, id);
    const { config } = props;
    const generation = config.vectorStoreGeneration;
    const name = collectionNameFor(props.stage, generation);
    // Generation 1 keeps the logical ids the first deploys got; later ones are new resources.
    const gen = (id: string) => (generation > 1 ? `${id}Gen${generation}` : id);
    const collectionResource = `collection/${name}`;

    const encryption = new aoss.CfnSecurityPolicy(this, gen('EncryptionPolicy'), {
      name: `${name}-enc`,
      type: 'encryption',
      description: 'KASS documents collection: AWS-owned key',
      policy: JSON.stringify({
        Rules: [{ ResourceType: 'collection', Resource: [collectionResource] }],
        AWSOwnedKey: true,
      }),
    });

    // Public: the endpoint is reachable from the internet but every request still needs SigV4 and a data-access
    // grant. Private: only Bedrock (SourceServices) reaches it; with the network option the network construct
    // adds an OpenSearch Serverless VPC endpoint and admits it too (README: Private networking).
    const networkRule = config.network.allowFromPublic
      ? { AllowFromPublic: true }
      : { AllowFromPublic: false, SourceServices: ['bedrock.amazonaws.com'] };
    const network = new aoss.CfnSecurityPolicy(this, gen('NetworkPolicy'), {
      name: `${name}-net`,
      type: 'network',
      description: `KASS documents collection: ${config.network.allowFromPublic ? 'public' : 'Bedrock only'}`,
      policy: JSON.stringify([
        { Rules: [{ ResourceType: 'collection', Resource: [collectionResource] }], ...networkRule },
      ]),
    });

    this.collection = new aoss.CfnCollection(this, gen('Collection'), {
      name,
      type: COLLECTION_TYPE,
      description: `KASS ${props.stage} document vectors`,
      standbyReplicas: config.standbyReplicas ? 'ENABLED' : 'DISABLED',
    });
    // A collection cannot be created before an encryption policy covers it.
    this.collection.addResourceDependency(encryption);
    this.collection.addResourceDependency(network);

    // CloudFormation creates the index with the deploy role, so that role needs data access too. Confirmed only
    // from documentation, not yet by a real deploy: verify on the first deploy.
    const indexCreatorRoleArn = props.indexCreatorRoleArn ?? this.defaultCfnExecutionRoleArn();
    // No dependency on the collection: the policy names it, and AOSS applies data-access rules within about a
    // minute of their creation. Created at the start of the deploy, it is in force long before the collection
    // (several minutes to create) lets the index be written: that wait is the delay, with no extra resource.
    this.dataAccessPolicy = new aoss.CfnAccessPolicy(this, gen('DataAccessPolicy'), {
      name: `${name}-data`,
      type: 'data',
      description: 'KASS documents collection: the knowledge base role and the deploy role only',
      policy: Fn.toJsonString([
        {
          Rules: [
            {
              ResourceType: 'collection',
              Resource: [collectionResource],
              Permission: [
                'aoss:DescribeCollectionItems',
                'aoss:CreateCollectionItems',
                'aoss:UpdateCollectionItems',
              ],
            },
            {
              ResourceType: 'index',
              Resource: [`index/${name}/*`],
              Permission: [
                'aoss:DescribeIndex',
                'aoss:ReadDocument',
                'aoss:WriteDocument',
                'aoss:CreateIndex',
                'aoss:UpdateIndex',
                'aoss:DeleteIndex',
              ],
            },
          ],
          Principal: [props.knowledgeBaseRole.roleArn, indexCreatorRoleArn],
        },
      ]),
    });
    this.index = new aoss.CfnIndex(this, gen('Index'), {
      collectionEndpoint: this.collection.attrCollectionEndpoint,
      indexName: VECTOR_INDEX.name,
      settings: { index: { knn: true, knnAlgoParamEfSearch: config.vectorIndex.efSearch } },
      mappings: {
        properties: {
          [VECTOR_INDEX.vectorField]: {
            type: 'knn_vector',
            dimension: config.embedding.dimensions,
            method: {
              ...VECTOR_METHOD,
              parameters: { m: config.vectorIndex.m, efConstruction: config.vectorIndex.efConstruction },
            },
          },
          // Indexed text enables HYBRID search; metadata is stored for filters but not searched.
          [VECTOR_INDEX.textField]: { type: 'text', index: true },
          [VECTOR_INDEX.metadataField]: { type: 'text', index: false },
        },
      },
    });
    // Writing the index needs the data-access grant in force.
    this.index.addResourceDependency(this.dataAccessPolicy);

    // The collection ARN ends in a generated id; naming it in the role would order the role, and with it the
    // data-access policy, after the collection. The name condition grants exactly this stage's collections
    // (every generation, so a replacement keeps serving until the old store is gone).
    const anyCollectionArn = Stack.of(this).formatArn({
      service: 'aoss',
      resource: 'collection',
      resourceName: '*',
    });
    const baseName = collectionNameFor(props.stage);
    this.roleStatements = [
      new iam.PolicyStatement({
        sid: 'VectorStore',
        actions: ['aoss:APIAccessAll'],
        resources: [anyCollectionArn],
        conditions: { StringLike: { 'aoss:collection': [baseName, `${baseName}-g*`] } },
      }),
    ];
    this.roleAcknowledgements = [
      {
        id: `AwsSolutions-IAM5[Resource::${nagResource(this, anyCollectionArn)}]`,
        reason:
          `Collection ARNs end in a generated id; the aoss:collection condition limits the grant to ${baseName} ` +
          'and its later generations, and the collection data-access policy names this role alone.',
      },
    ];
    this.storageConfiguration = {
      type: 'OPENSEARCH_SERVERLESS',
      opensearchServerlessConfiguration: {
        collectionArn: this.collection.attrArn,
        vectorIndexName: VECTOR_INDEX.name,
        fieldMapping: {
          vectorField: VECTOR_INDEX.vectorField,
          textField: VECTOR_INDEX.textField,
          metadataField: VECTOR_INDEX.metadataField,
        },
      },
    };
    // The knowledge base only names the index, so it must wait for it; its own access check at creation needs
    // the data-access grant as well.
    this.knowledgeBaseDependencies = [this.index, this.dataAccessPolicy];
  }

  private defaultCfnExecutionRoleArn(): string {
    const synthesizer = Stack.of(this).synthesizer;
    if (!(synthesizer instanceof DefaultStackSynthesizer)) {
      throw new Error(
        'KnowledgeBase: the stack does not use the DefaultStackSynthesizer; pass indexCreatorRoleArn (the role ' +
          'CloudFormation deploys with) so it can create the vector index.',
      );
    }
    return Fn.sub(synthesizer.cloudFormationExecutionRoleArn);
  }
}
