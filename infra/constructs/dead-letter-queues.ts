import { Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';

type Json = Record<string, unknown>;

/** The logical id an ARN reference points at (`Fn::GetAtt: [id, Arn]` or `Ref: id`), if it is one. */
function referencedId(value: unknown): string | undefined {
  const ref = value as { 'Fn::GetAtt'?: unknown[]; Ref?: unknown } | undefined;
  const target = ref?.['Fn::GetAtt']?.[0] ?? ref?.Ref;
  return typeof target === 'string' ? target : undefined;
}

const list = (value: unknown): Json[] =>
  Array.isArray(value) ? (value as Json[]) : value ? [value as Json] : [];
const at = (value: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>((node, key) => (node as Json | undefined)?.[key], value);

/**
 * Where a resource names its dead-letter queue, by CloudFormation type (properties as synthesized): a queue's
 * redrive policy, Lambda's async on-failure destination and DLQ, an event source mapping's on-failure
 * destination, EventBridge rule and Scheduler targets, SNS subscription redrive policies.
 */
export const DEAD_LETTER_REFERENCES: Readonly<Record<string, (properties: Json) => unknown[]>> = {
  'AWS::SQS::Queue': (p) => [at(p, 'RedrivePolicy', 'deadLetterTargetArn')],
  'AWS::Lambda::EventInvokeConfig': (p) => [at(p, 'DestinationConfig', 'OnFailure', 'Destination')],
  'AWS::Lambda::EventSourceMapping': (p) => [at(p, 'DestinationConfig', 'OnFailure', 'Destination')],
  'AWS::Lambda::Function': (p) => [at(p, 'DeadLetterConfig', 'TargetArn')],
  'AWS::Events::Rule': (p) => list(p.Targets).map((t) => at(t, 'DeadLetterConfig', 'Arn')),
  'AWS::Scheduler::Schedule': (p) => [at(p, 'Target', 'DeadLetterConfig', 'Arn')],
  'AWS::SNS::Subscription': (p) => [at(p, 'RedrivePolicy', 'deadLetterTargetArn')],
};

/** The logical ids a template's resources use as dead-letter queues (only those that are SQS queues). */
export function deadLetterQueueIds(
  resources: Record<string, { Type: string; Properties?: Json }>,
): Set<string> {
  const ids = new Set<string>();
  for (const resource of Object.values(resources)) {
    const references = DEAD_LETTER_REFERENCES[resource.Type]?.(resource.Properties ?? {}) ?? [];
    for (const reference of references) {
      const id = referencedId(reference);
      if (id && resources[id]?.Type === 'AWS::SQS::Queue') ids.add(id);
    }
  }
  return ids;
}

/** L1 classes whose synthesized properties may name a dead-letter queue. */
const REFERRERS = [
  sqs.CfnQueue,
  lambda.CfnEventInvokeConfig,
  lambda.CfnEventSourceMapping,
  lambda.CfnFunction,
  events.CfnRule,
  scheduler.CfnSchedule,
  sns.CfnSubscription,
];

/**
 * Every SQS queue of `scope`'s stack that something uses as a dead-letter queue, found from the resources that
 * name it (see {@link DEAD_LETTER_REFERENCES}), so a DLQ added by any construct is found without a list.
 */
export function deadLetterQueuesOf(scope: IConstruct): sqs.Queue[] {
  const stack = Stack.of(scope);
  const nodes = stack.node.findAll();
  const queues = new Map<string, sqs.Queue>();
  const resources: Record<string, { Type: string; Properties?: Json }> = {};
  for (const node of nodes) {
    if (node instanceof sqs.Queue) {
      const id = stack.getLogicalId(node.node.defaultChild as sqs.CfnQueue);
      queues.set(id, node);
      resources[id] = { Type: 'AWS::SQS::Queue' };
    }
  }
  for (const node of nodes) {
    const referrer = REFERRERS.find((cls) => node instanceof cls);
    if (!referrer) continue;
    const cfn = node as sqs.CfnQueue;
    const id = stack.getLogicalId(cfn);
    const type = cfn.cfnResourceType;
    // `_toCloudFormation` is how CDK renders a resource; its Properties are what the template will hold.
    const rendered = stack.resolve((cfn as unknown as { _toCloudFormation(): Json })._toCloudFormation()) as {
      Resources: Record<string, { Properties?: Json }>;
    };
    const properties = rendered.Resources[id]?.Properties ?? {};
    resources[`${id}#referrer`] = { Type: type, Properties: properties };
  }
  return [...deadLetterQueueIds(resources)].flatMap((id) => {
    const queue = queues.get(id);
    return queue ? [queue] : [];
  });
}
