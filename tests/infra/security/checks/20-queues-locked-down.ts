import { ofType, type Resources, record, type SecurityCheck, type SecurityFinding, text } from '../check';

/** Fourteen days: the longest SQS keeps a message, what a dead-letter queue should keep. */
export const DLQ_RETENTION_SECONDS = 1209600;

/** The logical id an `{ "Fn::GetAtt": [id, "Arn"] }` names. */
const arnTarget = (value: unknown): string[] => {
  const target = (record(value)['Fn::GetAtt'] as unknown[] | undefined)?.[0];
  return typeof target === 'string' ? [target] : [];
};

/**
 * Queues something sends its failures to: a queue's redrive policy, a function's async failure destination
 * or dead-letter config, an event-source mapping's failure destination, an EventBridge rule or schedule
 * target's dead-letter config. A queue is a DLQ because of how it is used, never because of its name.
 */
function deadLetterTargets(resources: Resources): Set<string> {
  const onFailure = (config: unknown) => arnTarget(record(record(record(config).OnFailure)).Destination);
  return new Set(
    Object.values(resources).flatMap((r) => {
      const p = r.Properties ?? {};
      switch (r.Type) {
        case 'AWS::SQS::Queue':
          return arnTarget(record(p.RedrivePolicy).deadLetterTargetArn);
        case 'AWS::Lambda::EventInvokeConfig':
        case 'AWS::Lambda::EventSourceMapping':
          return onFailure(p.DestinationConfig);
        case 'AWS::Lambda::Function':
          return arnTarget(record(p.DeadLetterConfig).TargetArn);
        case 'AWS::Events::Rule':
          return ((p.Targets as unknown[] | undefined) ?? []).flatMap((t) =>
            arnTarget(record(record(t).DeadLetterConfig).Arn),
          );
        case 'AWS::Scheduler::Schedule':
          return arnTarget(record(record(p.Target).DeadLetterConfig).Arn);
        default:
          return [];
      }
    }),
  );
}

/** Item 20: every queue is encrypted, SSL-only, and either a DLQ (keeping 14 days) or redriven to one. */
export const queuesLockedDown: SecurityCheck = {
  item: 20,
  title: 'every queue is encrypted, SSL-only, and either a DLQ or redriven to one',
  check(resources) {
    const queues = ofType(resources, 'AWS::SQS::Queue');
    const policies = ofType(resources, 'AWS::SQS::QueuePolicy').map(([, p]) => text(p.Properties));
    const dlqIds = deadLetterTargets(resources);
    const findings: SecurityFinding[] = [];
    for (const [id, q] of queues) {
      const p = q.Properties ?? {};
      const problem = (what: string) => findings.push({ resource: id, problem: what });
      if (!(p.SqsManagedSseEnabled ?? p.KmsMasterKeyId)) problem('is not encrypted');
      if (!policies.some((pol) => pol.includes(`"${id}"`) && pol.includes('"aws:SecureTransport":"false"'))) {
        problem('accepts plain HTTP (no aws:SecureTransport deny)');
      }
      const isDlq = dlqIds.has(id);
      if (!isDlq && p.RedrivePolicy === undefined) problem('is neither a DLQ nor redriven to one');
      if (isDlq && p.MessageRetentionPeriod !== DLQ_RETENTION_SECONDS)
        problem('is a DLQ that keeps messages < 14 days');
    }
    return { examined: queues.length, findings };
  },
};
