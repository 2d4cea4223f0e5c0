import { ofType, type SecurityCheck, type SecurityFinding } from '../check';

/** The metrics an operator must hear about: Lambda errors and throttles, DLQ depth, API 5XX. */
export const REQUIRED_ALARM_METRICS = [
  'Errors',
  'Throttles',
  'ApproximateNumberOfMessagesVisible',
  '5XXError',
];

/** Item 25: alarms cover Lambda errors and throttles, DLQ depth and API 5XX, and notify someone. */
export const alarmsCoverFailures: SecurityCheck = {
  item: 25,
  title: 'alarms cover Lambda errors and throttles, DLQ depth and API 5XX, and notify the alarm topic',
  check(resources) {
    const alarms = ofType(resources, 'AWS::CloudWatch::Alarm');
    const metrics = new Set(alarms.map(([, a]) => a.Properties?.MetricName));
    const findings: SecurityFinding[] = REQUIRED_ALARM_METRICS.filter((m) => !metrics.has(m)).map((m) => ({
      resource: '(stack)',
      problem: `no alarm on ${m}`,
    }));
    for (const [id, alarm] of alarms) {
      if (((alarm.Properties?.AlarmActions as unknown[] | undefined) ?? []).length === 0) {
        findings.push({ resource: id, problem: 'notifies nobody (no AlarmActions)' });
      }
    }
    return { examined: alarms.length, findings };
  },
};
