import { interfaceEndpointMonthly, NAT_GATEWAY_MONTHLY, PRICES } from '../contracts/prices';

type Resource = { Type: string; Properties?: Record<string, unknown> };
type Template = { Resources?: Record<string, Resource>; Outputs?: Record<string, { Value?: unknown }> };

/** What the operations layer of a synthesized stack contains, for the synth report (and `kass cost`). */
export interface OperationsSummary {
  readonly dashboard?: { name: string; url: string };
  readonly alarms: number;
  readonly compositeAlarms: readonly string[];
  readonly network?: {
    cidr: string;
    availabilityZones: number;
    natGateways: number;
    interfaceEndpoints: readonly string[];
    gatewayEndpoints: readonly string[];
    /** Fixed monthly cost of the NAT gateways and interface endpoints (us-east-1 prices, before data). */
    monthlyCost: number;
    functionsOutsideVpc: number;
  };
  readonly encryptionKey?: { alias: string; rotation: boolean };
  readonly audit?: { trail: boolean; dataEventBuckets: number; modelInvocationLogging?: string[] };
  readonly pipeline?: { stages: readonly string[] };
}

/** A template value as text, with `${AWS::Region}`-style placeholders where it holds references. */
function render(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, unknown> | undefined;
  const join = v?.['Fn::Join'] as [string, unknown[]] | undefined;
  if (join) return join[1].map(render).join(join[0]);
  if (v?.Ref === 'AWS::Region') return '<region>';
  if (typeof v?.Ref === 'string') return `<${v.Ref}>`;
  return '<…>';
}

const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Reads the operations resources of a template (dashboard, alarms, VPC, key, audit, pipeline). */
export function summarizeOperations(template: Template): OperationsSummary {
  const resources = Object.values(template.Resources ?? {});
  const ofType = (t: string) => resources.filter((r) => r.Type === t).map((r) => r.Properties ?? {});
  const dashboard = ofType('AWS::CloudWatch::Dashboard')[0];
  const url = template.Outputs?.DashboardUrl?.Value;
  const vpc = ofType('AWS::EC2::VPC')[0];
  const endpoints = ofType('AWS::EC2::VPCEndpoint').map((e) => ({
    type: e.VpcEndpointType,
    service: render(e.ServiceName).split('.').pop() ?? '?',
    subnets: arr(e.SubnetIds).length,
  }));
  const functions = ofType('AWS::Lambda::Function');
  const interfaceEndpoints = endpoints.filter((e) => e.type === 'Interface');
  const azs = vpc ? Math.max(2, ...interfaceEndpoints.map((e) => e.subnets)) : 0;
  const natGateways = ofType('AWS::EC2::NatGateway').length;
  const alias = ofType('AWS::KMS::Alias')
    .map((a) => render(a.AliasName))
    .find((name) => name.startsWith('alias/kass-'));
  const trail = ofType('AWS::CloudTrail::Trail')[0];
  const invocationLogging = resources.find((r) => r.Type === 'Custom::ModelInvocationLogging')?.Properties;
  const pipeline = ofType('AWS::CodePipeline::Pipeline')[0];
  return {
    ...(dashboard
      ? { dashboard: { name: render(dashboard.DashboardName), url: url ? render(url) : '' } }
      : {}),
    alarms: ofType('AWS::CloudWatch::Alarm').length,
    compositeAlarms: ofType('AWS::CloudWatch::CompositeAlarm').map((a) => render(a.AlarmName)),
    ...(vpc || endpoints.length > 0
      ? {
          network: {
            cidr: vpc ? render(vpc.CidrBlock) : 'imported',
            availabilityZones: azs,
            natGateways,
            interfaceEndpoints: interfaceEndpoints.map((e) => e.service).sort(),
            gatewayEndpoints: endpoints
              .filter((e) => e.type === 'Gateway')
              .map((e) => e.service)
              .sort(),
            monthlyCost:
              natGateways * NAT_GATEWAY_MONTHLY +
              interfaceEndpoints.length * interfaceEndpointMonthly(azs || 2),
            functionsOutsideVpc: functions.filter((f) => f.VpcConfig === undefined).length,
          },
        }
      : {}),
    ...(alias
      ? {
          encryptionKey: {
            alias,
            rotation: ofType('AWS::KMS::Key').some((k) => k.EnableKeyRotation === true),
          },
        }
      : {}),
    ...(trail || invocationLogging
      ? {
          audit: {
            trail: Boolean(trail),
            dataEventBuckets: arr(trail?.EventSelectors).flatMap((s) =>
              arr((s as Record<string, unknown>).DataResources),
            ).length,
            ...(invocationLogging
              ? {
                  modelInvocationLogging: [
                    ...(invocationLogging.S3BucketName ? ['s3'] : []),
                    ...(invocationLogging.LogGroupName ? ['cloudwatch'] : []),
                  ],
                }
              : {}),
          },
        }
      : {}),
    ...(pipeline
      ? {
          pipeline: {
            stages: arr(pipeline.Stages).map((s) => String((s as Record<string, unknown>).Name)),
          },
        }
      : {}),
  };
}

const dollars = (n: number) => `$${n.toFixed(2)}`;

/** The report lines of an operations summary. */
export function formatOperations(s: OperationsSummary): string[] {
  const lines: string[] = [];
  if (s.dashboard) lines.push(`  Dashboard ${s.dashboard.name}: ${s.dashboard.url}`);
  if (s.alarms > 0 || s.compositeAlarms.length > 0) {
    lines.push(
      `  Alarms: ${s.alarms}${s.compositeAlarms.length > 0 ? ` + composite ${s.compositeAlarms.join(', ')}` : ''}`,
    );
  }
  if (s.network) {
    const n = s.network;
    lines.push(
      `  Network: VPC ${n.cidr}, ${n.availabilityZones} AZs, ${n.natGateways} NAT gateway(s) ` +
        `(${dollars(NAT_GATEWAY_MONTHLY)}/month each + $${PRICES.natGatewayGb.usd}/GB)`,
    );
    lines.push(
      `    ${n.interfaceEndpoints.length} interface endpoints (${dollars(interfaceEndpointMonthly(n.availabilityZones))}/month ` +
        `each + $${PRICES.interfaceEndpointGb.usd}/GB): ${n.interfaceEndpoints.join(', ')}`,
    );
    lines.push(`    gateway endpoints (free): ${n.gatewayEndpoints.join(', ') || 'none'}`);
    lines.push(
      `    fixed network cost ≈ ${dollars(n.monthlyCost)}/month (us-east-1 list prices); functions outside the VPC: ${n.functionsOutsideVpc}`,
    );
  }
  if (s.encryptionKey) {
    lines.push(
      `  Encryption: customer-managed key ${s.encryptionKey.alias}${s.encryptionKey.rotation ? ' (yearly rotation)' : ''}`,
    );
  }
  if (s.audit) {
    const parts = [
      ...(s.audit.trail
        ? [`CloudTrail trail (management events, S3 data events of ${s.audit.dataEventBuckets} bucket(s))`]
        : []),
      ...(s.audit.modelInvocationLogging
        ? [`model invocation logging → ${s.audit.modelInvocationLogging.join(', ')}`]
        : []),
    ];
    lines.push(`  Audit: ${parts.join('; ')}`);
  }
  if (s.pipeline) lines.push(`  Pipeline: ${s.pipeline.stages.join(' → ')}`);
  return lines;
}
