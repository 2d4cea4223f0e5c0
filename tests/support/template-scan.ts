import { deadLetterQueueIds } from '../../infra/constructs/dead-letter-queues';
import { type EndpointNeed, endpointFor, isOnBehalfOf } from '../../infra/constructs/vpc-endpoint-services';

/**
 * Reading a synthesized template the way an auditor would: which functions run where, what their roles may
 * call, which endpoints exist, what is encrypted with what, which queues are dead-letter queues and what the
 * dashboard shows. Pure functions over the template JSON (no CDK objects).
 */

export type Json = Record<string, unknown>;
export type Resources = Record<string, { Type: string; Properties?: Json; Metadata?: Json }>;

export const ofType = (resources: Resources, type: string) =>
  Object.entries(resources).filter(([, r]) => r.Type === type);

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

/** The logical id a `Ref` or `Fn::GetAtt` points at. */
export const refId = (v: unknown): string | undefined => {
  const o = v as { Ref?: unknown; 'Fn::GetAtt'?: unknown[] } | undefined;
  const id = o?.Ref ?? o?.['Fn::GetAtt']?.[0];
  return typeof id === 'string' ? id : undefined;
};

type Statement = { Effect?: string; Action?: unknown; Condition?: Record<string, Record<string, unknown>> };

/** Every Allow statement of a role: its inline policies and the AWS::IAM::Policy resources attached to it. */
export function statementsOfRole(resources: Resources, roleId: string): Statement[] {
  const role = resources[roleId];
  const inline = list(role?.Properties?.Policies).flatMap(
    (p) => list((p as { PolicyDocument?: { Statement?: unknown } }).PolicyDocument?.Statement) as Statement[],
  );
  const attached = ofType(resources, 'AWS::IAM::Policy')
    .filter(([, p]) => list(p.Properties?.Roles).some((r) => refId(r) === roleId))
    .flatMap(
      ([, p]) =>
        list((p.Properties?.PolicyDocument as { Statement?: unknown } | undefined)?.Statement) as Statement[],
    );
  return [...inline, ...attached].filter((s) => s.Effect === 'Allow');
}

/** The actions a function's role may call itself (statements other services use on its behalf excluded). */
export function callsOfFunction(resources: Resources, functionId: string): string[] {
  const roleId = refId(resources[functionId]?.Properties?.Role);
  if (!roleId) return [];
  return statementsOfRole(resources, roleId)
    .filter((s) => !isOnBehalfOf(s.Condition))
    .flatMap((s) => list(s.Action) as string[]);
}

/** A string value with its references rendered as `<logicalId>` (joins flattened). */
export function flatten(v: unknown): string {
  if (typeof v === 'string') return v;
  const join = (v as { 'Fn::Join'?: [string, unknown[]] } | undefined)?.['Fn::Join'];
  if (join) return join[1].map(flatten).join(join[0]);
  return `<${refId(v) ?? JSON.stringify(v)}>`;
}

/** The endpoint services a template creates (`s3`, `bedrock-runtime`, …), by endpoint type. */
export function endpointServices(resources: Resources): { gateway: Set<string>; interface: Set<string> } {
  const out = { gateway: new Set<string>(), interface: new Set<string>() };
  for (const [, e] of ofType(resources, 'AWS::EC2::VPCEndpoint')) {
    const service = /^com\.amazonaws\.[^.]+\.(.+)$/.exec(flatten(e.Properties?.ServiceName))?.[1] ?? '?';
    (e.Properties?.VpcEndpointType === 'Gateway' ? out.gateway : out.interface).add(service);
  }
  return out;
}

/** What each function in a VPC needs (from its role), by function id. */
export function endpointNeeds(resources: Resources): Map<string, EndpointNeed[]> {
  const needs = new Map<string, EndpointNeed[]>();
  for (const [id, fn] of ofType(resources, 'AWS::Lambda::Function')) {
    if (!fn.Properties?.VpcConfig) continue;
    needs.set(id, callsOfFunction(resources, id).map(endpointFor));
  }
  return needs;
}

/** Route tables (by subnet id) and whether they route 0.0.0.0/0 anywhere (NAT or internet gateway). */
export function subnetsWithDefaultRoute(resources: Resources): Set<string> {
  const tablesWithDefault = new Set(
    ofType(resources, 'AWS::EC2::Route')
      .filter(([, r]) => r.Properties?.DestinationCidrBlock === '0.0.0.0/0')
      .map(([, r]) => refId(r.Properties?.RouteTableId)),
  );
  return new Set(
    ofType(resources, 'AWS::EC2::SubnetRouteTableAssociation')
      .filter(([, a]) => tablesWithDefault.has(refId(a.Properties?.RouteTableId)))
      .map(([, a]) => refId(a.Properties?.SubnetId) ?? ''),
  );
}

export { deadLetterQueueIds };

/** Queue ids whose depth (ApproximateNumberOfMessagesVisible) an alarm with actions watches. */
export function queuesWithDepthAlarm(resources: Resources): Set<string> {
  return new Set(
    ofType(resources, 'AWS::CloudWatch::Alarm')
      .filter(([, a]) => a.Properties?.MetricName === 'ApproximateNumberOfMessagesVisible')
      .filter(([, a]) => list(a.Properties?.AlarmActions).length > 0)
      .flatMap(([, a]) => list(a.Properties?.Dimensions) as { Name: string; Value: unknown }[])
      .filter((d) => d.Name === 'QueueName')
      .map((d) => refId(d.Value) ?? ''),
  );
}

/**
 * The dashboard's widgets, parsed from its body (an Fn::Join of JSON text and references; each reference becomes
 * the string `@<logicalId>`).
 */
export function dashboardWidgets(resources: Resources): { type: string; properties: Json }[] {
  const [, dashboard] = ofType(resources, 'AWS::CloudWatch::Dashboard')[0] ?? [];
  const body = dashboard?.Properties?.DashboardBody as
    | { 'Fn::Join'?: [string, unknown[]] }
    | string
    | undefined;
  if (!body) return [];
  const text =
    typeof body === 'string'
      ? body
      : (body['Fn::Join']?.[1] ?? [])
          .map((part) => (typeof part === 'string' ? part : `@${refId(part) ?? JSON.stringify(part)}`))
          .join('');
  return (JSON.parse(text) as { widgets: { type: string; properties: Json }[] }).widgets;
}

/** Every metric line of the dashboard's graph widgets, e.g. `['AWS/Lambda','Errors','FunctionName','@Fn',{…}]`. */
export function dashboardMetrics(resources: Resources): unknown[][] {
  return dashboardWidgets(resources).flatMap((w) => (w.properties.metrics as unknown[][] | undefined) ?? []);
}
