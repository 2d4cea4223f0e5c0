import { ofType, record, type SecurityCheck, type SecurityFinding } from '../check';

/** Item 13: every REST stage logs as JSON, traces, throttles explicitly and never logs payloads. */
export const restStageLogging: SecurityCheck = {
  item: 13,
  title: 'every REST stage logs as JSON, traces, throttles explicitly and never logs payloads',
  check(resources) {
    const stages = ofType(resources, 'AWS::ApiGateway::Stage');
    const findings: SecurityFinding[] = [];
    for (const [id, stage] of stages) {
      const p = stage.Properties ?? {};
      const problem = (text: string) => findings.push({ resource: id, problem: text });
      if (p.TracingEnabled !== true) problem('does not trace (TracingEnabled)');
      const format = record(p.AccessLogSetting).Format;
      if (typeof format !== 'string' || !format.startsWith('{')) problem('has no JSON access log');
      const all = ((p.MethodSettings as unknown[] | undefined) ?? [])
        .map(record)
        .find((m) => m.HttpMethod === '*' && m.ResourcePath === '/*');
      if (!all) {
        problem('has no method settings for /*/*');
        continue;
      }
      if (all.DataTraceEnabled !== false) problem('may log request and response payloads (DataTraceEnabled)');
      if (!['INFO', 'ERROR'].includes(String(all.LoggingLevel)))
        problem('has no INFO or ERROR execution logging');
      if (typeof all.ThrottlingRateLimit !== 'number' || typeof all.ThrottlingBurstLimit !== 'number') {
        problem('has no explicit throttling');
      }
    }
    return { examined: stages.length, findings };
  },
};
