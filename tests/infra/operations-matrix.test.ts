import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildApp } from '../../infra/app';
import { cfnLintInstalled, runCfnLint } from '../support/cfn-lint';
import {
  callsOfFunction,
  dashboardMetrics,
  deadLetterQueueIds,
  endpointNeeds,
  endpointServices,
  flatten,
  ofType,
  queuesWithDepthAlarm,
  type Resources,
  refId,
  subnetsWithDefaultRoute,
} from '../support/template-scan';

/**
 * The operations options over the whole app, every combination of network × encryption in dev and prod (each
 * synthesized once, bundling skipped): cdk-nag and cfn-lint clean, and the invariants each option promises,
 * checked on the template as an auditor would read it. Combinations with the stage key also turn the audit on.
 */
const STAGES = ['dev', 'prod'] as const;
const COMBOS = STAGES.flatMap((stage) =>
  [false, true].flatMap((network) => [false, true].map((encryption) => ({ stage, network, encryption }))),
);
type Combo = (typeof COMBOS)[number];
const nameOf = (c: Combo) =>
  `${c.stage}, network ${c.network ? 'on' : 'off'}, encryption ${c.encryption ? 'on' : 'off'}`;

const outRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'kass-ops-matrix-'));
const built = new Map<string, { app: App; resources: Resources; templateFile: string }>();

/** Synthesizes a combination once (memoized for the whole file). */
function synth(c: Combo) {
  const key = nameOf(c);
  const cached = built.get(key);
  if (cached) return cached;
  const outdir = path.join(outRoot, key.replace(/[^a-z]+/g, '-'));
  const config = {
    network: { vpc: c.network },
    encryption: { customerManagedKey: c.encryption },
    audit: { cloudTrail: c.encryption, modelInvocationLogging: { enabled: c.encryption } },
  };
  const { app, stack } = buildApp({
    stage: c.stage,
    outdir,
    nag: false,
    context: { 'aws:cdk:bundling-stacks': [], 'kass:config': config },
  });
  const artifact = app.synth().getStackByName(stack.stackName);
  const entry = {
    app,
    resources: artifact.template.Resources as Resources,
    templateFile: path.join(outdir, artifact.templateFile),
  };
  built.set(key, entry);
  return entry;
}

afterAll(() => fs.rmSync(outRoot, { recursive: true, force: true }));

/**
 * Functions that talk to something outside AWS or to a public API's management endpoint: PostToConnection
 * (granted execute-api), GitLab and Discord (their base URLs), the Cognito keys (the authorizer in Cognito mode).
 */
function callsTheInternet(resources: Resources, functionId: string): boolean {
  const env = ((resources[functionId]?.Properties?.Environment as { Variables?: Json } | undefined)
    ?.Variables ?? {}) as Json;
  return (
    callsOfFunction(resources, functionId).some((a) => a.startsWith('execute-api:')) ||
    'GITLAB_BASE_URL' in env ||
    'DISCORD_API_BASE_URL' in env ||
    env.AUTH_MODE === 'cognito'
  );
}

describe.each(COMBOS)(
  'Operations options over the $stage stack (network $network, encryption $encryption)',
  (c) => {
    let resources: Resources;
    let app: App;
    beforeAll(() => {
      ({ resources, app } = synth(c));
    });
    const functions = () => ofType(resources, 'AWS::Lambda::Function');

    it('has no unacknowledged cdk-nag finding', () => {
      // Act
      const report = new AwsSolutionsChecks(app, { verbose: true }).validateScope(app);
      // Assess
      expect(
        report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath)}`),
      ).toEqual([]);
    });

    if (c.network) {
      it('runs every Lambda in the private subnets of a two-AZ 10.0.0.0/16 VPC, behind the functions group', () => {
        const [[vpcId, vpc]] = ofType(resources, 'AWS::EC2::VPC') as unknown as [
          [string, { Properties: Record<string, unknown> }],
        ];
        expect(vpc.Properties.CidrBlock).toBe('10.0.0.0/16');
        const subnets = ofType(resources, 'AWS::EC2::Subnet');
        const publicSubnets = new Set(
          subnets.filter(([, s]) => s.Properties?.MapPublicIpOnLaunch === true).map(([id]) => id),
        );
        const azs = new Set(subnets.map(([, s]) => JSON.stringify(s.Properties?.AvailabilityZone)));
        expect(azs.size).toBe(2);
        expect(functions().length).toBeGreaterThan(10);
        for (const [id, fn] of functions()) {
          const vpcConfig = fn.Properties?.VpcConfig as
            | { SubnetIds?: unknown[]; SecurityGroupIds?: unknown[] }
            | undefined;
          expect({ id, inVpc: vpcConfig !== undefined }).toEqual({ id, inVpc: true });
          const subnetIds = (vpcConfig?.SubnetIds ?? []).map(refId);
          expect(subnetIds).toHaveLength(2);
          for (const subnet of subnetIds) {
            expect(resources[subnet ?? '']?.Properties?.VpcId).toEqual({ Ref: vpcId });
            expect(publicSubnets.has(subnet ?? '')).toBe(false);
          }
          expect((vpcConfig?.SecurityGroupIds ?? []).map(refId)).toEqual([
            expect.stringMatching(/^NetworkFunctionSecurityGroup/),
          ]);
        }
      });

      it('has an endpoint for every AWS service a function’s role is granted (derived from the template)', () => {
        const endpoints = endpointServices(resources);
        const missing: string[] = [];
        for (const [fn, needs] of endpointNeeds(resources)) {
          for (const need of needs) {
            if (need.kind === 'gateway' && !endpoints.gateway.has(need.service))
              missing.push(`${fn}: ${need.service}`);
            if (need.kind === 'interface' && !endpoints.interface.has(need.service))
              missing.push(`${fn}: ${need.service}`);
          }
        }
        expect(missing).toEqual([]);
        expect([...endpoints.gateway].sort()).toEqual(['dynamodb', 's3']);
        for (const service of [
          'bedrock-runtime',
          'bedrock-agent-runtime',
          'bedrock-agent',
          'sqs',
          'sns',
          'logs',
          'xray',
        ])
          expect(endpoints.interface).toContain(service);
        // An execute-api endpoint with private DNS would break every call to the public chat APIs from the VPC.
        expect(endpoints.interface).not.toContain('execute-api');
        for (const [, e] of ofType(resources, 'AWS::EC2::VPCEndpoint')) {
          if (e.Properties?.VpcEndpointType === 'Interface')
            expect(e.Properties?.PrivateDnsEnabled).toBe(true);
        }
      });

      it('gives only the functions that call the internet a route out (one NAT gateway); the others have none', () => {
        expect(ofType(resources, 'AWS::EC2::NatGateway')).toHaveLength(1);
        const routed = subnetsWithDefaultRoute(resources);
        for (const [id, fn] of functions()) {
          const internet = callsTheInternet(resources, id);
          const subnetIds = (
            (fn.Properties?.VpcConfig as { SubnetIds?: unknown[] } | undefined)?.SubnetIds ?? []
          ).map(refId);
          expect({ id, routedOut: subnetIds.every((s) => routed.has(s ?? '')) }).toEqual({
            id,
            routedOut: internet,
          });
        }
      });
    } else {
      it('creates no VPC, endpoint or NAT and places no function in a VPC', () => {
        expect(ofType(resources, 'AWS::EC2::VPC')).toEqual([]);
        expect(ofType(resources, 'AWS::EC2::VPCEndpoint')).toEqual([]);
        expect(ofType(resources, 'AWS::EC2::NatGateway')).toEqual([]);
        for (const [, fn] of functions()) expect(fn.Properties?.VpcConfig).toBeUndefined();
      });
    }

    if (c.encryption) {
      it('leaves no bucket, table, queue, topic, log group or secret on an AWS-owned or AWS-managed key', () => {
        const [[keyId, key]] = ofType(resources, 'AWS::KMS::Key').filter(([id]) =>
          id.startsWith('Encryption'),
        ) as unknown as [[string, { Properties: Record<string, unknown> }]];
        expect(key.Properties.EnableKeyRotation).toBe(true);
        const stageKey = (v: unknown) => refId(v) === keyId;
        const logDestinations = new Set(
          ofType(resources, 'AWS::S3::Bucket').map(([, b]) =>
            refId(
              (b.Properties?.LoggingConfiguration as { DestinationBucketName?: unknown })
                ?.DestinationBucketName,
            ),
          ),
        );
        const onAwsKeys: string[] = [];
        for (const [id, b] of ofType(resources, 'AWS::S3::Bucket')) {
          const encryption = b.Properties?.BucketEncryption as
            | { ServerSideEncryptionConfiguration: { ServerSideEncryptionByDefault: Json }[] }
            | undefined;
          const kms = stageKey(
            encryption?.ServerSideEncryptionConfiguration[0]?.ServerSideEncryptionByDefault.KMSMasterKeyID,
          );
          // S3 delivers server access logs only to SSE-S3 buckets: those, and only those, stay on SSE-S3.
          if (kms === logDestinations.has(id)) onAwsKeys.push(`bucket ${id}`);
        }
        const keyOf: Record<string, (p: Json) => unknown> = {
          'AWS::DynamoDB::Table': (p) => (p.SSESpecification as Json | undefined)?.KMSMasterKeyId,
          'AWS::SQS::Queue': (p) => p.KmsMasterKeyId,
          'AWS::Logs::LogGroup': (p) => p.KmsKeyId,
          'AWS::SecretsManager::Secret': (p) => p.KmsKeyId,
          'AWS::Bedrock::Guardrail': (p) => p.KmsKeyArn,
          'AWS::Bedrock::Agent': (p) => p.CustomerEncryptionKeyArn,
        };
        for (const [type, read] of Object.entries(keyOf)) {
          for (const [id, r] of ofType(resources, type))
            if (!stageKey(read(r.Properties ?? {}))) onAwsKeys.push(id);
        }
        // Topics: the stage key, or a customer-managed key of their own (the alarm topic's).
        const keys = new Set(ofType(resources, 'AWS::KMS::Key').map(([id]) => id));
        for (const [id, t] of ofType(resources, 'AWS::SNS::Topic'))
          if (!keys.has(refId(t.Properties?.KmsMasterKeyId) ?? '')) onAwsKeys.push(id);
        for (const [id, q] of ofType(resources, 'AWS::SQS::Queue'))
          if (q.Properties?.SqsManagedSseEnabled !== undefined) onAwsKeys.push(id);
        expect(onAwsKeys).toEqual([]);
        const encryptionPolicy = ofType(resources, 'AWS::OpenSearchServerless::SecurityPolicy').find(
          ([, p]) => p.Properties?.Type === 'encryption',
        );
        expect(flatten(encryptionPolicy?.[1].Properties?.Policy)).toContain('"AWSOwnedKey":false');
        expect(flatten(encryptionPolicy?.[1].Properties?.Policy)).toContain(`"KmsARN":"<${keyId}>"`);
      });

      it('names no "*" principal in the key policy; account use goes through services only', () => {
        const [[, key]] = ofType(resources, 'AWS::KMS::Key').filter(([id]) =>
          id.startsWith('Encryption'),
        ) as unknown as [[string, { Properties: { KeyPolicy: { Statement: Json[] } } }]];
        for (const st of key.Properties.KeyPolicy.Statement) {
          expect(JSON.stringify(st.Principal)).not.toMatch(/"\*"/);
          const actions = [st.Action].flat() as string[];
          const usesData = actions.some((a) => /Decrypt|GenerateDataKey|Encrypt/.test(a));
          // Data use needs a condition: via a service, an encryption context or the calling service's source.
          if (usesData) expect(st.Condition).toBeDefined();
        }
      });
    } else {
      it('creates no stage key and leaves the resources on their default encryption', () => {
        expect(ofType(resources, 'AWS::KMS::Alias')).toEqual([]);
        for (const [, t] of ofType(resources, 'AWS::DynamoDB::Table'))
          expect((t.Properties?.SSESpecification as Json | undefined)?.KMSMasterKeyId).toBeUndefined();
        for (const [, q] of ofType(resources, 'AWS::SQS::Queue'))
          expect(q.Properties?.SqsManagedSseEnabled).toBe(true);
      });
    }

    it('alarms on every queue used as a dead-letter queue, notifying the alarm topic', () => {
      const dlqs = deadLetterQueueIds(resources);
      expect(dlqs.size).toBeGreaterThan(0);
      const watched = queuesWithDepthAlarm(resources);
      expect([...dlqs].filter((q) => !watched.has(q))).toEqual([]);
    });

    it('has a dashboard widget for every function and every dead-letter queue', () => {
      const metrics = dashboardMetrics(resources);
      const shown = (namespace: string, metric: string, id: string) =>
        metrics.some((m) => m[0] === namespace && m[1] === metric && m.includes(`@${id}`));
      for (const [id] of functions()) {
        expect({
          id,
          errors: shown('AWS/Lambda', 'Errors', id),
          p99: shown('AWS/Lambda', 'Duration', id),
        }).toEqual({
          id,
          errors: true,
          p99: true,
        });
      }
      for (const id of deadLetterQueueIds(resources)) {
        expect({ id, depth: shown('AWS/SQS', 'ApproximateNumberOfMessagesVisible', id) }).toEqual({
          id,
          depth: true,
        });
        expect({ id, age: shown('AWS/SQS', 'ApproximateAgeOfOldestMessage', id) }).toEqual({ id, age: true });
      }
    });
  },
);

type Json = Record<string, unknown>;

const itWhenInstalled = cfnLintInstalled ? it : it.skip;

describe('cfn-lint over the matrix', () => {
  itWhenInstalled('finds no errors or warnings in any of the 8 templates', () => {
    // Prepare
    const templates = COMBOS.map((c) => synth(c).templateFile);
    // Act
    const result = runCfnLint(templates);
    // Assess
    expect(result).toEqual({ status: 0, findings: [] });
  });
});
