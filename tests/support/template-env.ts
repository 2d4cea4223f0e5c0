import { createHash } from 'node:crypto';
import type { Stack } from 'aws-cdk-lib';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { KassFunction } from '../../infra/constructs/kass-function';

export type TemplateResources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

const PSEUDO: Record<string, string> = {
  'AWS::Region': 'us-east-1',
  'AWS::AccountId': '123456789012',
  'AWS::Partition': 'aws',
  'AWS::URLSuffix': 'amazonaws.com',
};

/** A short upper-case id, as Bedrock and API Gateway return (an agent id has 10 characters). */
export const shortId = (seed: string): string =>
  createHash('sha256').update(seed).digest('hex').slice(0, 10).toUpperCase();

/** A deploy-time value as a plausible literal: table names are logical ids, ARNs look like ARNs. */
export function literal(value: unknown, resources: TemplateResources): string {
  if (typeof value === 'string') return value;
  const ref = (value as { Ref?: string }).Ref;
  if (ref !== undefined) {
    if (PSEUDO[ref]) return PSEUDO[ref];
    switch (resources[ref]?.Type) {
      case 'AWS::SNS::Topic':
        return `arn:aws:sns:us-east-1:123456789012:${ref}`;
      case 'AWS::SecretsManager::Secret':
        return `arn:aws:secretsmanager:us-east-1:123456789012:secret:${ref}-AbCdEf`;
      case 'AWS::DynamoDB::Table':
      case 'AWS::Lambda::Function':
      case 'AWS::SQS::Queue':
        return ref;
      default:
        return shortId(ref);
    }
  }
  const getAtt = (value as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
  if (getAtt) {
    const [id, attribute] = getAtt;
    const type = resources[id]?.Type;
    if (type === 'AWS::BedrockAgentCore::Harness' && attribute === 'Arn')
      return `arn:aws:bedrock-agentcore:us-east-1:123456789012:harness/kass_dev-${shortId(id)}`;
    if (type === 'AWS::KMS::Key' && attribute === 'Arn')
      return 'arn:aws:kms:us-east-1:123456789012:key/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d';
    return shortId(getAtt.join('.'));
  }
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join) return join[1].map((part) => literal(part, resources)).join(join[0]);
  throw new Error(`no literal for ${JSON.stringify(value)}`);
}

/** Each KassFunction of a stack: its entry file and its function's logical id in the template. */
export function functionsOf(stack: Stack): { entry: string; logicalId: string }[] {
  return stack.node
    .findAll()
    .filter((c): c is KassFunction => c instanceof KassFunction)
    .map((f) => ({
      entry: f.entry,
      logicalId: stack.getLogicalId(f.function.node.defaultChild as CfnFunction),
    }));
}

/** The environment the template gives the function with this logical id, resolved to literals. */
export function environmentOf(logicalId: string, resources: TemplateResources): Record<string, string> {
  const environment = resources[logicalId]?.Properties.Environment as
    | { Variables?: Record<string, unknown> }
    | undefined;
  if (!environment?.Variables)
    throw new Error(`no function ${logicalId} with an environment in the template`);
  return Object.fromEntries(
    Object.entries(environment.Variables).map(([k, v]) => [k, literal(v, resources)]),
  );
}
