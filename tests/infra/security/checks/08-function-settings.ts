import { ofType, record, type SecurityCheck, type SecurityFinding } from '../check';

/** The runtime every KASS function uses; cdk-nag L1 flags older ones. */
export const LATEST_NODE_RUNTIME = 'nodejs24.x';

/**
 * Item 8: every function sets timeout and memory, runs the latest Node.js runtime with active tracing and
 * logs to its own log group; every log group has a retention.
 */
export const functionSettings: SecurityCheck = {
  item: 8,
  title: 'every function sets timeout, memory, latest runtime, active tracing and a log group',
  check(resources) {
    const functions = ofType(resources, 'AWS::Lambda::Function');
    const groups = ofType(resources, 'AWS::Logs::LogGroup');
    const findings: SecurityFinding[] = [];
    for (const [id, fn] of functions) {
      const p = fn.Properties ?? {};
      if (typeof p.Timeout !== 'number') findings.push({ resource: id, problem: 'has no explicit Timeout' });
      if (typeof p.MemorySize !== 'number')
        findings.push({ resource: id, problem: 'has no explicit MemorySize' });
      if (record(p.LoggingConfig).LogGroup === undefined)
        findings.push({ resource: id, problem: 'has no log group' });
      // aws-cdk-lib's own BucketDeployment handler (Python, the web page's copy at deploy) keeps its runtime.
      if (id.startsWith('CustomCDKBucketDeployment')) continue;
      if (p.Runtime !== LATEST_NODE_RUNTIME) {
        findings.push({ resource: id, problem: `runs ${String(p.Runtime)}, not ${LATEST_NODE_RUNTIME}` });
      }
      if (record(p.TracingConfig).Mode !== 'Active')
        findings.push({ resource: id, problem: 'has no active tracing' });
    }
    for (const [id, group] of groups) {
      if (group.Properties?.RetentionInDays === undefined) {
        findings.push({ resource: id, problem: 'keeps logs forever (no RetentionInDays)' });
      }
    }
    return { examined: functions.length + groups.length, findings };
  },
};
