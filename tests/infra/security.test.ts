import type { Template } from 'aws-cdk-lib/assertions';
import { buildTestApp } from '../support/app';

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown>; DependsOn?: unknown }>;

/** Security checklist invariants, scanned over the whole composed stack of each stage (no snapshot). */
describe.each(['dev', 'prod'])('Security checklist over the %s stack', (stage) => {
  let template: Template;
  let resources: Resources;
  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
  const text = (value: unknown) => JSON.stringify(value);

  beforeAll(() => {
    ({ template } = buildTestApp(stage));
    resources = template.toJSON().Resources as Resources;
  });

  it('1: no IAM statement allows "*" or "service:*" actions', () => {
    for (const [, policy] of [...ofType('AWS::IAM::Policy'), ...ofType('AWS::IAM::ManagedPolicy')]) {
      const doc = policy.Properties?.PolicyDocument as { Statement: { Action?: string | string[] }[] };
      for (const st of doc.Statement) {
        for (const action of ([] as string[]).concat(st.Action ?? [])) {
          expect({ action, bad: action === '*' || /^[\w-]+:\*$/.test(action) }).toEqual({
            action,
            bad: false,
          });
        }
      }
    }
  });

  it('2: no AWS managed policy on any role', () => {
    for (const [id, role] of ofType('AWS::IAM::Role')) {
      expect({ id, managed: role.Properties?.ManagedPolicyArns }).toEqual({ id, managed: undefined });
    }
  });

  it('7: every Bedrock invoke permission names the source ARN and account', () => {
    const bedrock = ofType('AWS::Lambda::Permission').filter(
      ([, p]) => p.Properties?.Principal === 'bedrock.amazonaws.com',
    );
    expect(bedrock.length).toBeGreaterThan(0);
    for (const [, p] of bedrock) {
      expect(p.Properties?.SourceArn).toBeDefined();
      expect(p.Properties?.SourceAccount).toBeDefined();
    }
  });

  it('8: every function sets timeout, memory, latest runtime, active tracing and a log group', () => {
    for (const [id, fn] of ofType('AWS::Lambda::Function')) {
      const p = fn.Properties ?? {};
      expect({ id, timeout: typeof p.Timeout, memory: typeof p.MemorySize }).toEqual({
        id,
        timeout: 'number',
        memory: 'number',
      });
      expect((p.LoggingConfig as { LogGroup?: unknown } | undefined)?.LogGroup).toBeDefined();
      // aws-cdk-lib's own BucketDeployment handler (Python, the web page's copy at deploy) keeps its runtime.
      if (id.startsWith('CustomCDKBucketDeployment')) continue;
      expect({ id, runtime: p.Runtime, tracing: p.TracingConfig }).toEqual({
        id,
        runtime: 'nodejs24.x',
        tracing: { Mode: 'Active' },
      });
      expect((p.LoggingConfig as { LogGroup?: unknown } | undefined)?.LogGroup).toBeDefined();
    }
    for (const [, group] of ofType('AWS::Logs::LogGroup'))
      expect(group.Properties?.RetentionInDays).toBeDefined();
  });

  it('9: every SQS event source reports batch item failures', () => {
    for (const [, mapping] of ofType('AWS::Lambda::EventSourceMapping')) {
      expect(mapping.Properties?.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    }
  });

  it('12: no environment value looks like a secret', () => {
    for (const [, fn] of ofType('AWS::Lambda::Function')) {
      const vars = ((fn.Properties?.Environment as { Variables?: Record<string, unknown> })?.Variables ??
        {}) as Record<string, unknown>;
      for (const value of Object.values(vars).filter((v): v is string => typeof v === 'string')) {
        expect(value).not.toMatch(/glpat-|-----BEGIN|^[A-Za-z0-9+/]{40,}={0,2}$/);
      }
    }
  });

  it('13: every REST stage logs as JSON, traces, throttles explicitly and never logs payloads', () => {
    const stages = ofType('AWS::ApiGateway::Stage');
    expect(stages.length).toBeGreaterThan(0);
    for (const [, st] of stages) {
      const p = st.Properties ?? {};
      expect(p.TracingEnabled).toBe(true);
      expect((p.AccessLogSetting as { Format?: string }).Format).toMatch(/^\{/);
      const all = (p.MethodSettings as Record<string, unknown>[]).find(
        (m) => m.HttpMethod === '*' && m.ResourcePath === '/*',
      );
      expect(all).toMatchObject({ DataTraceEnabled: false });
      expect(['INFO', 'ERROR']).toContain(all?.LoggingLevel);
      expect(typeof all?.ThrottlingRateLimit).toBe('number');
      expect(typeof all?.ThrottlingBurstLimit).toBe('number');
    }
  });

  it('17: every table has PITR and encryption; prod tables are protected and retained', () => {
    for (const [id, table] of ofType('AWS::DynamoDB::Table')) {
      expect({ id, pitr: table.Properties?.PointInTimeRecoverySpecification }).toEqual({
        id,
        pitr: { PointInTimeRecoveryEnabled: true },
      });
      expect(table.Properties?.SSESpecification).toBeDefined();
      if (stage === 'prod') expect(table.Properties?.DeletionProtectionEnabled).toBe(true);
    }
  });

  it('19: every bucket blocks public access, is versioned, encrypted, logged and SSL-only', () => {
    const buckets = ofType('AWS::S3::Bucket');
    const policies = ofType('AWS::S3::BucketPolicy').map(([, p]) => text(p.Properties));
    for (const [id, bucket] of buckets) {
      const p = bucket.Properties ?? {};
      expect(p.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(p.BucketEncryption).toBeDefined();
      expect({ id, versioning: p.VersioningConfiguration }).toEqual({
        id,
        versioning: { Status: 'Enabled' },
      });
      const ssl = policies.find(
        (pol) => pol.includes(`"${id}"`) && pol.includes('"aws:SecureTransport":"false"'),
      );
      expect({ id, sslOnly: ssl !== undefined }).toEqual({ id, sslOnly: true });
    }
    // Every bucket sends server access logs somewhere, or is itself where other buckets' logs go.
    const destinations = new Set(
      buckets.map(([, b]) =>
        text(
          (b.Properties?.LoggingConfiguration as { DestinationBucketName?: unknown })?.DestinationBucketName,
        ),
      ),
    );
    for (const [id, bucket] of buckets) {
      const logged =
        bucket.Properties?.LoggingConfiguration !== undefined || destinations.has(text({ Ref: id }));
      expect({ id, logged }).toEqual({ id, logged: true });
    }
  });

  it('20: every queue is encrypted, SSL-only, and either a DLQ or redriven to one', () => {
    const queues = ofType('AWS::SQS::Queue');
    const policies = ofType('AWS::SQS::QueuePolicy').map(([, p]) => text(p.Properties));
    const dlqIds = new Set(
      queues.flatMap(([, q]) => {
        const target = (q.Properties?.RedrivePolicy as { deadLetterTargetArn?: { 'Fn::GetAtt'?: string[] } })
          ?.deadLetterTargetArn?.['Fn::GetAtt']?.[0];
        return target ? [target] : [];
      }),
    );
    for (const [id, q] of queues) {
      expect(q.Properties?.SqsManagedSseEnabled ?? q.Properties?.KmsMasterKeyId).toBeTruthy();
      expect(
        policies.some((pol) => pol.includes(`"${id}"`) && pol.includes('"aws:SecureTransport":"false"')),
      ).toBe(true);
      const isDlq = dlqIds.has(id) || /DeadLetter|Dlq|DLQ/.test(id);
      expect({ id, redriveOrDlq: isDlq || q.Properties?.RedrivePolicy !== undefined }).toEqual({
        id,
        redriveOrDlq: true,
      });
      if (isDlq) expect(q.Properties?.MessageRetentionPeriod).toBe(1209600);
    }
  });

  it('25: alarms cover Lambda errors and throttles, DLQ depth and API 5XX, and notify the alarm topic', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties ?? {});
    const metrics = new Set(alarms.map((a) => a.MetricName));
    for (const m of ['Errors', 'Throttles', 'ApproximateNumberOfMessagesVisible', '5XXError'])
      expect(metrics).toContain(m);
    for (const a of alarms) expect((a.AlarmActions as unknown[] | undefined)?.length ?? 0).toBeGreaterThan(0);
  });
});
