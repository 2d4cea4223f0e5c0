import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../infra/app';
import {
  API_GATEWAY_LOG_GROUP_PREFIXES,
  accessLogGroupName,
} from '../../infra/constructs/chat/api-gateway-account';

type Resource = { Type: string; Properties?: Record<string, unknown>; DeletionPolicy?: string };
type Resources = Record<string, Resource>;

/** A template value as text, with `${Ref}` / `${Id.Attr}` placeholders for what CloudFormation fills in. */
function render(value: unknown): string {
  if (typeof value === 'string') return value;
  const fn = value as Record<string, unknown>;
  if (Array.isArray(fn['Fn::Join'])) {
    const [delimiter, parts] = fn['Fn::Join'] as [string, unknown[]];
    return parts.map(render).join(delimiter);
  }
  if (typeof fn.Ref === 'string') return `\${${fn.Ref}}`;
  if (Array.isArray(fn['Fn::GetAtt'])) return `\${${(fn['Fn::GetAtt'] as string[]).join('.')}}`;
  return JSON.stringify(value);
}

/** The log-group name patterns (`log-group:<pattern>`) the role's policies let it write events to. */
function writablePatterns(resources: Resources, roleId: string): RegExp[] {
  const policies = (resources[roleId]?.Properties?.Policies ?? []) as {
    PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] };
  }[];
  return policies
    .flatMap((p) => p.PolicyDocument.Statement)
    .filter((s) => ([] as string[]).concat(s.Action).includes('logs:PutLogEvents'))
    .flatMap((s) => ([] as unknown[]).concat(s.Resource))
    .map(render)
    .map((arn) => /:log-group:(.*)$/.exec(arn)?.[1] ?? '')
    .filter((pattern) => pattern && !pattern.includes(':log-stream:'))
    .map((pattern) => new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`));
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** The names of the access-log groups the REST and WebSocket stages write to. */
function accessLogGroups(resources: Resources): Record<string, string> {
  const destinations = Object.values(resources).flatMap((r) => {
    const settings =
      r.Type === 'AWS::ApiGateway::Stage'
        ? r.Properties?.AccessLogSetting
        : r.Type === 'AWS::ApiGatewayV2::Stage'
          ? r.Properties?.AccessLogSettings
          : undefined;
    return settings ? [render((settings as { DestinationArn: unknown }).DestinationArn)] : [];
  });
  return Object.fromEntries(
    destinations.map((arn) => {
      const groupId = /^\$\{(\w+)\.Arn\}$/.exec(arn)?.[1] ?? arn;
      return [groupId, render(resources[groupId]?.Properties?.LogGroupName ?? '(generated name)')];
    }),
  );
}

const build = (accountCloudWatchRole: 'create' | 'existing') => {
  const { stack } = buildApp({
    stage: 'dev',
    nag: false,
    context: { 'aws:cdk:bundling-stacks': [], 'kass:config': { chatApi: { accountCloudWatchRole } } },
  });
  return Template.fromStack(stack).toJSON().Resources as Resources;
};

describe('API Gateway logging', () => {
  let managed: Resources;
  let existing: Resources;
  beforeAll(() => {
    managed = build('create');
    existing = build('existing');
  });

  it('names both access-log groups under /aws/apigateway/ with the API id and stage', () => {
    const groups = accessLogGroups(managed);
    expect(Object.keys(groups)).toHaveLength(2);
    for (const name of Object.values(groups))
      expect(name).toMatch(/^\/aws\/apigateway\/\$\{\w+\}\/dev\/access-logs$/);
  });

  /** The role the account setting (`AWS::ApiGateway::Account`) points at. */
  const accountRoleOf = (resources: Resources): string => {
    const account = Object.values(resources).find((r) => r.Type === 'AWS::ApiGateway::Account');
    const arn = account?.Properties?.CloudWatchRoleArn as { 'Fn::GetAtt'?: string[] } | undefined;
    return arn?.['Fn::GetAtt']?.[0] ?? '';
  };

  it('writes every access-log and execution-log group through the account role it manages', () => {
    // Prepare
    const patterns = writablePatterns(managed, accountRoleOf(managed));
    const groups = Object.values(managed)
      .filter((r) => r.Type === 'AWS::Logs::LogGroup')
      .map((r) => render(r.Properties?.LogGroupName ?? ''))
      .filter((name) => /apigateway|API-Gateway/i.test(name));
    // Assess: 2 access-log and 2 execution-log groups, each matched by a pattern of the role.
    expect(patterns.length).toBeGreaterThan(0);
    expect(groups).toHaveLength(4);
    for (const name of [...groups, ...Object.values(accessLogGroups(managed))])
      expect({ name, covered: patterns.some((p) => p.test(name)) }).toEqual({ name, covered: true });
  });

  it('would not cover a group with a generated name (the check can fail)', () => {
    const patterns = writablePatterns(managed, accountRoleOf(managed));
    expect(patterns.some((p) => p.test('kass-dev-ChatApiAccessLogs1A2B3C4D-AbCdEfGhIjKl'))).toBe(false);
    expect(patterns.some((p) => p.test(accessLogGroupName('abc123', 'dev')))).toBe(true);
  });

  it('keeps the same names without the managed role, so an existing account role with the AWS policy covers them', () => {
    expect(Object.values(existing).some((r) => r.Type === 'AWS::ApiGateway::Account')).toBe(false);
    for (const name of Object.values(accessLogGroups(existing)))
      expect(API_GATEWAY_LOG_GROUP_PREFIXES.some((prefix) => name.startsWith(prefix))).toBe(true);
  });
});
