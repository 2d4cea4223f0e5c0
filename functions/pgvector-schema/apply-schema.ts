import * as z from 'zod/mini';
import { PGVECTOR_TABLE } from '../../contracts/pgvector';
import type { CustomResourceRequest } from '../shared/cfn-response';
import type { SqlRunner } from './data-api';
import { dimensionMismatch, EMBEDDING_TYPE_QUERY, schemaStatements, scramVerifier } from './schema';

/** The custom resource's properties (CloudFormation sends every value as a string). */
export const SchemaProperties = z.object({
  ClusterArn: z.string().check(z.regex(/^arn:aws[a-z-]*:rds:/, 'must be an Aurora cluster ARN')),
  SecretArn: z.string().check(z.regex(/^arn:aws[a-z-]*:secretsmanager:/, 'must be a secret ARN')),
  BedrockUserSecretArn: z.string().check(z.regex(/^arn:aws[a-z-]*:secretsmanager:/, 'must be a secret ARN')),
  Database: z.string().check(z.regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a PostgreSQL database name')),
  Dimensions: z.coerce.number(),
  HnswM: z.coerce.number(),
  HnswEfConstruction: z.coerce.number(),
});
export type SchemaProperties = z.infer<typeof SchemaProperties>;

export interface SchemaDeps {
  /** A runner for the cluster and database the properties name. */
  readonly runner: (properties: SchemaProperties) => SqlRunner;
  /** The password of Bedrock's database user (from its secret). */
  readonly bedrockPassword: (secretArn: string) => Promise<string>;
}

export type SchemaOutcome = {
  readonly status: 'SUCCESS' | 'FAILED';
  readonly physicalResourceId: string;
  readonly reason?: string;
  readonly data?: Record<string, string>;
};

/** What a failure may say in the stack events: its kind and message, never a password verifier. */
export function safeReason(error: unknown): string {
  const name = (error as { name?: unknown } | undefined)?.name;
  const message = String((error as { message?: unknown } | undefined)?.message ?? error);
  return `${typeof name === 'string' ? name : 'Error'}: ${message}`.replace(
    /SCRAM-SHA-256\$\S+/g,
    '[verifier]',
  );
}

/**
 * Create/Update: runs the schema statements one by one (each retried while the cluster resumes), then checks the
 * embedding column's dimension. Delete: nothing (the cluster goes with the store; a replaced resource's schema
 * was applied by its successor). Never throws: the outcome is what CloudFormation is told.
 */
export async function applySchema(request: CustomResourceRequest, deps: SchemaDeps): Promise<SchemaOutcome> {
  const fallbackId = request.PhysicalResourceId ?? `${request.LogicalResourceId}-not-created`;
  const parsed = SchemaProperties.safeParse(request.ResourceProperties);
  if (!parsed.success) {
    // A Delete of a resource whose Create failed on bad properties must still succeed.
    if (request.RequestType === 'Delete') return { status: 'SUCCESS', physicalResourceId: fallbackId };
    const issue = parsed.error.issues[0];
    return {
      status: 'FAILED',
      physicalResourceId: fallbackId,
      reason: `Invalid property ${issue?.path.join('.') || '(root)'}: ${issue?.message}`,
    };
  }
  const properties = parsed.data;
  const physicalResourceId = `${properties.ClusterArn}/${PGVECTOR_TABLE}`;
  if (request.RequestType === 'Delete')
    return { status: 'SUCCESS', physicalResourceId: request.PhysicalResourceId ?? physicalResourceId };
  try {
    const runner = deps.runner(properties);
    const verifier = scramVerifier(await deps.bedrockPassword(properties.BedrockUserSecretArn));
    const statements = schemaStatements(
      {
        dimensions: properties.Dimensions,
        hnswM: properties.HnswM,
        hnswEfConstruction: properties.HnswEfConstruction,
      },
      verifier,
    );
    for (const sql of statements) await runner.run(sql);
    const mismatch = dimensionMismatch(await runner.run(EMBEDDING_TYPE_QUERY), properties.Dimensions);
    if (mismatch) return { status: 'FAILED', physicalResourceId, reason: mismatch };
    return { status: 'SUCCESS', physicalResourceId, data: { TableName: PGVECTOR_TABLE } };
  } catch (error) {
    return { status: 'FAILED', physicalResourceId, reason: safeReason(error) };
  }
}
