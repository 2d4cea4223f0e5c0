import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Observability } from '../../infra/constructs/observability';
import { buildTestApp } from '../support/app';
import { testApp, testStack } from '../support/cdk';

type Resource = { Type: string; Properties?: Record<string, unknown> };
type Statement = {
  Sid?: string;
  Effect: string;
  Principal?: { Service?: string; AWS?: unknown };
  Action: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
};

const actionsOf = (s: Statement): string[] => ([] as string[]).concat(s.Action);

/**
 * Why an alarm's notification would not reach the topic's subscribers, per alarm action: a topic encrypted with
 * an AWS-managed key (CloudWatch may not use it), a customer key whose policy does not let CloudWatch encrypt,
 * or a topic policy that does not let CloudWatch publish.
 */
function alarmDeliveryProblems(resources: Record<string, Resource>): string[] {
  const problems: string[] = [];
  const policiesOf = (topicId: string) =>
    Object.values(resources).filter(
      (r) =>
        r.Type === 'AWS::SNS::TopicPolicy' && JSON.stringify(r.Properties?.Topics).includes(`"${topicId}"`),
    );
  for (const [alarmId, alarm] of Object.entries(resources).filter(
    ([, r]) => r.Type === 'AWS::CloudWatch::Alarm',
  )) {
    for (const action of (alarm.Properties?.AlarmActions as { Ref?: string }[] | undefined) ?? []) {
      const topicId = action.Ref ?? '';
      const topic = resources[topicId];
      if (topic?.Type !== 'AWS::SNS::Topic') {
        problems.push(`${alarmId}: action is not a topic of this stack`);
        continue;
      }
      const key = topic.Properties?.KmsMasterKeyId;
      const keyText = JSON.stringify(key ?? null);
      if (/alias\/aws\//.test(keyText)) {
        problems.push(`${alarmId} → ${topicId}: encrypted with an AWS-managed key (${keyText})`);
        continue;
      }
      const keyId = (key as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt']?.[0];
      const keyResource = keyId ? resources[keyId] : undefined;
      if (key !== undefined) {
        const statements = ((keyResource?.Properties?.KeyPolicy as { Statement?: Statement[] } | undefined)
          ?.Statement ?? []) as Statement[];
        const cloudWatch = statements.find(
          (s) => s.Effect === 'Allow' && s.Principal?.Service === 'cloudwatch.amazonaws.com',
        );
        const allowed = cloudWatch ? actionsOf(cloudWatch) : [];
        if (
          keyResource?.Type !== 'AWS::KMS::Key' ||
          !allowed.includes('kms:Decrypt') ||
          !allowed.includes('kms:GenerateDataKey*')
        )
          problems.push(
            `${alarmId} → ${topicId}: the topic key does not let cloudwatch.amazonaws.com use it`,
          );
      }
      const topicStatements = policiesOf(topicId).flatMap(
        (p) => (p.Properties?.PolicyDocument as { Statement?: Statement[] } | undefined)?.Statement ?? [],
      );
      const publish = topicStatements.some(
        (s) =>
          s.Effect === 'Allow' &&
          s.Principal?.Service === 'cloudwatch.amazonaws.com' &&
          actionsOf(s).includes('sns:Publish'),
      );
      if (policiesOf(topicId).length > 0 && !publish)
        problems.push(`${alarmId} → ${topicId}: the topic policy does not let CloudWatch publish`);
    }
  }
  return problems;
}

describe('Class: Observability', () => {
  let template: Template;
  beforeAll(() => {
    const stack = testStack();
    new Observability(stack, 'Observability', { emails: ['oncall@example.com'] });
    template = Template.fromStack(stack);
  });

  it('encrypts the alarm topic with its own rotated key, not alias/aws/sns', () => {
    const [keyId] = Object.keys(template.findResources('AWS::KMS::Key'));
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
  });

  it('lets only CloudWatch alarms of this account use the key, and nobody else encrypt or decrypt with it', () => {
    // Prepare
    const key = Object.values(template.findResources('AWS::KMS::Key'))[0];
    const statements = key?.Properties.KeyPolicy.Statement as Statement[];
    // Assess
    const cloudWatch = statements.find((s) => s.Sid === 'CloudWatchAlarmsPublish');
    expect(cloudWatch).toMatchObject({
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      Condition: {
        StringEquals: { 'aws:SourceAccount': '123456789012' },
        ArnLike: { 'aws:SourceArn': expect.anything() },
      },
    });
    expect(JSON.stringify(cloudWatch?.Condition?.ArnLike)).toContain(
      ':cloudwatch:us-east-1:123456789012:alarm:*',
    );
    const admin = statements.find((s) => s.Sid === 'AccountAdministersTheKey');
    expect(actionsOf(admin as Statement)).not.toContain('kms:*');
    for (const use of ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'])
      expect(actionsOf(admin as Statement)).not.toContain(use);
    expect(statements).toHaveLength(2);
  });

  it('lets CloudWatch alarms of this account publish to the topic, over TLS only', () => {
    const policy = Object.values(template.findResources('AWS::SNS::TopicPolicy'))[0];
    const statements = policy?.Properties.PolicyDocument.Statement as Statement[];
    expect(statements.find((s) => s.Sid === 'CloudWatchAlarmsPublish')).toMatchObject({
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: 'sns:Publish',
      Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
    });
    expect(
      statements.some((s) => s.Effect === 'Deny' && JSON.stringify(s).includes('aws:SecureTransport')),
    ).toBe(true);
  });

  it('deletes the key with a dev stack (7-day window) and keeps it in prod', () => {
    const prod = testStack();
    new Observability(prod, 'Observability', { emails: [], retainData: true });
    const keyOf = (t: Template) => Object.values(t.findResources('AWS::KMS::Key'))[0];
    expect(keyOf(template)?.DeletionPolicy).toBe('Delete');
    expect(keyOf(template)?.Properties.PendingWindowInDays).toBe(7);
    expect(keyOf(Template.fromStack(prod))?.DeletionPolicy).toBe('Retain');
  });

  it('passes cdk-nag without acknowledgements', () => {
    const app = testApp();
    const stack = testStack(app);
    new Observability(stack, 'Observability', { emails: [] });
    const report = new AwsSolutionsChecks(app, { verbose: true }).validateScope(app);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });
});

describe('Alarm delivery over the whole stack', () => {
  it.each(['dev', 'prod'])('no alarm action of %s targets a topic CloudWatch cannot use', (stage) => {
    const { template } = buildTestApp(stage);
    const resources = template.toJSON().Resources as Record<string, Resource>;
    const alarms = Object.values(resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm');
    expect(alarms.length).toBeGreaterThan(5);
    expect(alarmDeliveryProblems(resources)).toEqual([]);
  });

  it('flags an alarm on a topic encrypted with alias/aws/sns (the check can fail)', () => {
    // Prepare
    const stack = testStack();
    const topic = new sns.Topic(stack, 'Managed', {
      masterKey: kms.Alias.fromAliasName(stack, 'SnsKey', 'alias/aws/sns'),
    });
    new cloudwatch.Alarm(stack, 'Alarm', {
      metric: new cloudwatch.Metric({ namespace: 'X', metricName: 'Y', period: Duration.minutes(5) }),
      threshold: 1,
      evaluationPeriods: 1,
    }).addAlarmAction(new actions.SnsAction(topic));
    // Act
    const problems = alarmDeliveryProblems(Template.fromStack(stack).toJSON().Resources);
    // Assess
    expect(problems).toEqual([expect.stringContaining('encrypted with an AWS-managed key')]);
  });
});
