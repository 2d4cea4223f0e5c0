import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildApp } from '../../infra/app';
import { ConfigError } from '../../infra/config/config-error';
import { loadStageConfig } from '../../infra/config/load-config';
import { REPO_ROOT } from '../../infra/constructs/kass-function';
import { BUILD_IMAGE, CFN_LINT_INSTALL, TEST_COMMAND } from '../../infra/stacks/pipeline-stack';
import { formatSummary, summarizeTemplate } from '../../infra/summary';
import { buildTestApp } from '../support/app';
import { discordConfig } from '../support/discord';
import { flatten, ofType, type Resources, refId } from '../support/template-scan';

/** Fine-grained assertions per operations option, on a few stacks each synthesized once (bundling skipped). */

const PUBLIC_KEY = 'a1'.repeat(32);

describe('Everything on (prod: network, stage key, audit, Discord, alarm webhooks, thresholds)', () => {
  let template: Template;
  let resources: Resources;
  let text: string;
  beforeAll(() => {
    ({ template } = buildTestApp('prod', {
      config: {
        network: { vpc: true },
        encryption: { customerManagedKey: true },
        audit: { cloudTrail: true, modelInvocationLogging: { enabled: true } },
        discord: discordConfig(PUBLIC_KEY),
        alarms: {
          emails: ['ops@example.com'],
          httpsEndpoints: ['https://hooks.example.com/kass'],
          thresholds: {
            toolErrorRatePercent: 7,
            api5xxRatePercent: 2,
            chatLatencyP90Seconds: 30,
            minimumRequests: 10,
          },
        },
      },
    }));
    resources = template.toJSON().Resources as Resources;
    text = JSON.stringify(resources);
  });

  describe('alarms', () => {
    it('subscribes the configured emails and HTTPS endpoints to the alarm topic', () => {
      template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'https',
        Endpoint: 'https://hooks.example.com/kass',
        TopicArn: { Ref: Match.stringLikeRegexp('^ObservabilityAlarms') },
      });
      template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: 'ops@example.com',
      });
    });

    it('alarms on each tool’s error rate (its calls, per tool), judged from the configured minimum', () => {
      for (const tool of ['report', 'summarize', 'code-review']) {
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          Threshold: 7,
          ComparisonOperator: 'GreaterThanThreshold',
          Metrics: Match.arrayWith([
            Match.objectLike({ Expression: 'IF(total >= 10, 100 * FILL(failures, 0) / total, 0)' }),
            Match.objectLike({
              Id: 'failures',
              MetricStat: Match.objectLike({
                Metric: {
                  Namespace: 'KASS',
                  MetricName: 'OperationFailed',
                  Dimensions: [{ Name: 'service', Value: `kass-${tool}` }],
                },
              }),
            }),
          ]),
        });
      }
    });

    it('alarms on the 5XX rate of every REST API (the chat API and the Discord interactions API)', () => {
      const rateAlarms = ofType(resources, 'AWS::CloudWatch::Alarm').filter(([, a]) =>
        JSON.stringify(a.Properties?.Metrics ?? '').includes('5XXError'),
      );
      // API Gateway names a REST API's metrics by the API's name.
      const apis = ofType(resources, 'AWS::ApiGateway::RestApi').map(([, a]) => a.Properties?.Name as string);
      expect(apis).toHaveLength(2);
      for (const name of apis) {
        expect(
          rateAlarms.some(([, a]) => JSON.stringify(a.Properties?.Metrics).includes(`"Value":"${name}"`)),
        ).toBe(true);
      }
      for (const [, a] of rateAlarms) expect(a.Properties?.Threshold).toBe(2);
    });

    it('alarms on ingestion failures and on the p90 chat latency of all channels', () => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Metrics: Match.arrayWith([
          Match.objectLike({
            Expression: 'FILL(jobFailed, 0) + FILL(jobRejected, 0) + FILL(documentsFailed, 0)',
          }),
        ]),
        Threshold: 1,
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'KASS',
        MetricName: 'TurnLatency',
        Dimensions: [{ Name: 'service', Value: 'kass-turns' }],
        ExtendedStatistic: 'p90',
        Period: 900,
        Threshold: 30000,
      });
    });

    it('has one composite "unhealthy" alarm over every alarm of the stack, notifying on ALARM and OK', () => {
      const [[, composite]] = ofType(resources, 'AWS::CloudWatch::CompositeAlarm') as unknown as [
        [
          string,
          {
            Properties: {
              AlarmName: string;
              AlarmRule: unknown;
              AlarmActions: unknown[];
              OKActions: unknown[];
            };
          },
        ],
      ];
      expect(composite.Properties.AlarmName).toBe('kass-prod-unhealthy');
      const rule = flatten(composite.Properties.AlarmRule);
      const alarms = ofType(resources, 'AWS::CloudWatch::Alarm').map(([id]) => id);
      expect(alarms.length).toBeGreaterThan(20);
      for (const id of alarms) expect(rule).toContain(`<${id}>`);
      expect(composite.Properties.AlarmActions).toHaveLength(1);
      expect(composite.Properties.OKActions).toHaveLength(1);
      for (const [, a] of ofType(resources, 'AWS::CloudWatch::Alarm'))
        expect((a.Properties?.AlarmActions as unknown[] | undefined)?.length ?? 0).toBeGreaterThan(0);
    });

    it('puts the dashboard’s console URL in the outputs and the synth summary', () => {
      template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'kass-prod' });
      template.hasOutput('DashboardUrl', {
        Value: {
          'Fn::Join': [
            '',
            [
              'https://console.aws.amazon.com/cloudwatch/home?region=',
              { Ref: 'AWS::Region' },
              '#dashboards/dashboard/kass-prod',
            ],
          ],
        },
      });
      const summary = formatSummary(summarizeTemplate('kass-prod', template.toJSON()));
      expect(summary).toContain(
        'Dashboard kass-prod: https://console.aws.amazon.com/cloudwatch/home?region=<region>#dashboards/dashboard/kass-prod',
      );
      expect(summary).toMatch(/Alarms: \d+ \+ composite kass-prod-unhealthy/);
      expect(summary).toMatch(
        /interface endpoints \(\$14\.60\/month each \+ \$0\.01\/GB\): .*bedrock-runtime/,
      );
      expect(summary).toMatch(/fixed network cost ≈ \$\d+\.\d\d\/month/);
      expect(summary).toContain('Encryption: customer-managed key alias/kass-prod (yearly rotation)');
      expect(summary).toContain('model invocation logging → s3, cloudwatch');
    });
  });

  describe('encryption', () => {
    it('gives every role that uses an encrypting service the key through exactly those services', () => {
      const keyId = ofType(resources, 'AWS::KMS::Key').find(([id]) => id.startsWith('Encryption'))?.[0];
      const grants = ofType(resources, 'AWS::IAM::Policy').flatMap(([, p]) =>
        (
          (p.Properties?.PolicyDocument as { Statement?: Record<string, unknown>[] } | undefined)
            ?.Statement ?? []
        ).filter((s) => s.Sid === 'StageKeyThroughServices'),
      );
      expect(grants.length).toBeGreaterThan(10);
      for (const grant of grants) {
        expect(refId(grant.Resource)).toBe(keyId);
        expect([grant.Action].flat().sort()).toEqual([
          'kms:Decrypt',
          'kms:DescribeKey',
          'kms:Encrypt',
          'kms:GenerateDataKey',
          'kms:GenerateDataKeyWithoutPlaintext',
        ]);
        const via = [
          (grant.Condition as { StringEquals: Record<string, unknown> }).StringEquals['kms:ViaService'],
        ].flat();
        expect(via.length).toBeGreaterThan(0);
        for (const service of via)
          expect(flatten(service)).toMatch(
            /^(s3|dynamodb|sqs|sns|secretsmanager|bedrock|aoss)\.<AWS::Region>\.amazonaws\.com$/,
          );
      }
    });

    it('lets services write on their own only for this account’s resources (logs by encryption context, CloudTrail by trail)', () => {
      const [[, key]] = ofType(resources, 'AWS::KMS::Key').filter(([id]) =>
        id.startsWith('Encryption'),
      ) as unknown as [
        [
          string,
          {
            Properties: {
              KeyPolicy: {
                Statement: { Sid: string; Condition?: Record<string, Record<string, unknown>> }[];
              };
            };
          },
        ],
      ];
      const bySid = new Map(key.Properties.KeyPolicy.Statement.map((s) => [s.Sid, s]));
      expect(
        Object.keys(bySid.get('CloudWatchLogsEncryptsThisAccountsLogGroups')?.Condition?.ArnLike ?? {}),
      ).toEqual(['kms:EncryptionContext:aws:logs:arn']);
      expect(bySid.get('CloudTrailEncryptsLogs')?.Condition?.StringEquals?.['aws:SourceArn']).toBeDefined();
      expect(
        bySid.get('EventBridgeRulesDeliverToQueues')?.Condition?.ArnLike?.['aws:SourceArn'],
      ).toBeDefined();
      expect(bySid.get('BedrockWritesInvocationLogs')?.Condition?.ArnLike?.['aws:SourceArn']).toBeDefined();
      expect(
        bySid.get('CloudFrontReadsOrigins')?.Condition?.StringEquals?.['aws:SourceAccount'],
      ).toBeDefined();
      expect(
        bySid.get('AccountUsesTheKeyThroughServices')?.Condition?.StringEquals?.['kms:ViaService'],
      ).toBeDefined();
    });

    it('encrypts the guardrail and the agent with the stage key', () => {
      template.hasResourceProperties('AWS::Bedrock::Guardrail', {
        KmsKeyArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EncryptionKey'), 'Arn'] },
      });
      template.hasResourceProperties('AWS::Bedrock::Agent', {
        CustomerEncryptionKeyArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EncryptionKey'), 'Arn'] },
      });
      template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/kass-prod' });
    });
  });

  describe('audit', () => {
    it('records management events and the documents bucket’s data events, with integrity validation, under the stage key', () => {
      template.hasResourceProperties('AWS::CloudTrail::Trail', {
        TrailName: 'kass-prod-audit',
        IsMultiRegionTrail: false,
        IncludeGlobalServiceEvents: true,
        EnableLogFileValidation: true,
        KMSKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EncryptionKey'), 'Arn'] },
        S3BucketName: { Ref: Match.stringLikeRegexp('^AuditLogs') },
        EventSelectors: [
          { IncludeManagementEvents: true, ReadWriteType: 'All' },
          {
            IncludeManagementEvents: false,
            ReadWriteType: 'All',
            DataResources: [
              {
                Type: 'AWS::S3::Object',
                Values: [
                  {
                    'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^Documents'), 'Arn'] }, '/']],
                  },
                ],
              },
            ],
          },
        ],
      });
    });

    it('keeps records in a locked-down bucket: object lock in a retaining stage, only this trail and Bedrock may write', () => {
      template.hasResourceProperties('AWS::S3::Bucket', {
        ObjectLockEnabled: true,
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Days: 365, Mode: 'GOVERNANCE' } },
        },
        VersioningConfiguration: { Status: 'Enabled' },
        PublicAccessBlockConfiguration: Match.objectLike({
          BlockPublicPolicy: true,
          RestrictPublicBuckets: true,
        }),
        LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'audit-log-bucket/' }),
      });
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: Match.stringLikeRegexp('^AuditLogs') },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Sid: 'OnlyThisTrailWrites',
              Effect: 'Deny',
              Principal: { Service: 'cloudtrail.amazonaws.com' },
              Condition: { StringNotEquals: { 'aws:SourceArn': Match.anyValue() } },
            }),
            Match.objectLike({
              Sid: 'BedrockWritesInvocationLogs',
              Principal: { Service: 'bedrock.amazonaws.com' },
              Condition: {
                StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
                ArnLike: Match.anyValue(),
              },
            }),
          ]),
        },
      });
    });

    it('sets Bedrock model-invocation logging through a house custom resource, after its destinations exist', () => {
      const [[, resource]] = ofType(resources, 'Custom::ModelInvocationLogging') as unknown as [
        [string, { Properties: Record<string, unknown>; DependsOn: string[] }],
      ];
      expect(resource.Properties).toMatchObject({
        S3BucketName: { Ref: expect.stringMatching(/^AuditLogs/) },
        S3KeyPrefix: 'bedrock-invocations',
        LogGroupName: { Ref: expect.stringMatching(/^AuditModelInvocations/) },
        RoleArn: { 'Fn::GetAtt': [expect.stringMatching(/^AuditInvocationLogsRole/), 'Arn'] },
      });
      expect(resource.DependsOn).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^AuditLogsPolicy/),
          expect.stringMatching(/^AuditModelInvocations/),
        ]),
      );
      const fnId = refId(resource.Properties.ServiceToken) ?? '';
      expect(
        (resources[fnId]?.Properties?.Environment as { Variables: Record<string, unknown> } | undefined)
          ?.Variables.POWERTOOLS_SERVICE_NAME,
      ).toBe('kass-bedrock-logging');
      template.hasResourceProperties('AWS::IAM::Role', {
        AssumeRolePolicyDocument: {
          Statement: [
            Match.objectLike({
              Principal: { Service: 'bedrock.amazonaws.com' },
              Condition: {
                StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
                ArnLike: Match.anyValue(),
              },
            }),
          ],
        },
        Policies: [
          {
            PolicyName: 'WriteInvocationLogs',
            PolicyDocument: {
              Statement: [
                Match.objectLike({
                  Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
                  Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AuditModelInvocations'), 'Arn'] },
                }),
              ],
            },
          },
        ],
      });
      template.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Action: 'iam:PassRole',
              Condition: { StringEquals: { 'iam:PassedToService': 'bedrock.amazonaws.com' } },
            }),
          ]),
        },
      });
      expect(text).toContain('bedrock:PutModelInvocationLoggingConfiguration');
    });
  });
});

describe('Network without a NAT gateway (dev, Discord on, Cognito sign-in)', () => {
  let template: Template;
  let resources: Resources;
  let stack: ReturnType<typeof buildTestApp>['stack'];
  beforeAll(() => {
    ({ template, stack } = buildTestApp('dev', {
      config: {
        network: { vpc: true, natGateway: false },
        knowledgeBase: { network: { allowFromPublic: false } },
        discord: discordConfig(PUBLIC_KEY),
        chatApi: { cognito: { enabled: true } },
        dashboard: { enabled: false },
        audit: { cloudTrail: false, modelInvocationLogging: { enabled: true, destinations: ['cloudwatch'] } },
      },
    }));
    resources = template.toJSON().Resources as Resources;
  });

  it('has only isolated subnets: no NAT, no internet gateway, no route out of the VPC', () => {
    expect(ofType(resources, 'AWS::EC2::NatGateway')).toEqual([]);
    expect(ofType(resources, 'AWS::EC2::InternetGateway')).toEqual([]);
    expect(ofType(resources, 'AWS::EC2::Route')).toEqual([]);
    expect(ofType(resources, 'AWS::EC2::Subnet')).toHaveLength(2);
  });

  it('runs exactly the functions that call the internet outside the VPC, and says so at synth', () => {
    const outside = ofType(resources, 'AWS::Lambda::Function')
      .filter(([, f]) => f.Properties?.VpcConfig === undefined)
      .map(
        ([, f]) =>
          (f.Properties?.Environment as { Variables: Record<string, string> } | undefined)?.Variables
            .POWERTOOLS_SERVICE_NAME,
      )
      .sort();
    expect(outside).toEqual([
      'kass-code-review',
      'kass-discord-worker',
      'kass-ws-authorizer',
      'kass-ws-turn',
      'kass-ws-turn-failure',
    ]);
    const warnings = Annotations.fromStack(stack).findWarning(
      '*',
      Match.stringLikeRegexp('runs outside the VPC'),
    );
    expect(warnings).toHaveLength(5);
    expect(warnings.map((w) => String(w.entry.data)).join('\n')).toMatch(
      /network\.natGateway=true \(one NAT gateway, about \$32\.85 a month/,
    );
  });

  it('limits a private collection to an OpenSearch Serverless endpoint in the VPC and Bedrock', () => {
    const [[endpointId, endpoint]] = ofType(
      resources,
      'AWS::OpenSearchServerless::VpcEndpoint',
    ) as unknown as [[string, { Properties: Record<string, unknown> }]];
    expect(endpoint.Properties).toMatchObject({
      Name: 'kass-dev-aoss',
      VpcId: { Ref: expect.stringMatching(/^NetworkVpc/) },
      SubnetIds: [
        { Ref: expect.stringMatching(/^NetworkVpcPrivate/) },
        { Ref: expect.stringMatching(/^NetworkVpcPrivate/) },
      ],
    });
    const network = ofType(resources, 'AWS::OpenSearchServerless::SecurityPolicy').find(
      ([, p]) => p.Properties?.Type === 'network',
    );
    const rules = JSON.parse(
      flatten(network?.[1].Properties?.Policy).replace(`<${endpointId}>`, 'vpce-1'),
    ) as unknown[];
    expect(rules).toEqual([
      expect.objectContaining({
        AllowFromPublic: false,
        SourceServices: ['bedrock.amazonaws.com'],
        SourceVPCEs: ['vpce-1'],
      }),
    ]);
  });

  it('turns the dashboard off, and logs model invocations to CloudWatch only', () => {
    expect(ofType(resources, 'AWS::CloudWatch::Dashboard')).toEqual([]);
    template.resourceCountIs('AWS::CloudTrail::Trail', 0);
    const [[, logging]] = ofType(resources, 'Custom::ModelInvocationLogging') as unknown as [
      [string, { Properties: Record<string, unknown> }],
    ];
    expect(logging.Properties.S3BucketName).toBeUndefined();
    expect(logging.Properties.LogGroupName).toBeDefined();
  });
});

describe('An existing VPC, imported by id (no lookup, synth offline)', () => {
  const existingVpc = {
    vpcId: 'vpc-0123456789abcdef0',
    cidrBlock: '172.31.0.0/16',
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    privateSubnetIds: ['subnet-0aaaaaaaaaaaaaaaa', 'subnet-0bbbbbbbbbbbbbbbb'],
    privateSubnetRouteTableIds: ['rtb-0aaaaaaaaaaaaaaaa', 'rtb-0bbbbbbbbbbbbbbbb'],
  };
  let resources: Resources;
  beforeAll(() => {
    const { template } = buildTestApp('dev', {
      config: {
        env: { region: 'eu-west-1' },
        agent: { inferenceGeo: 'eu' },
        network: { vpc: true, existingVpc },
      },
    });
    resources = template.toJSON().Resources as Resources;
  });

  it('creates no VPC and places every function in the given private subnets', () => {
    expect(ofType(resources, 'AWS::EC2::VPC')).toEqual([]);
    for (const [, fn] of ofType(resources, 'AWS::Lambda::Function')) {
      expect((fn.Properties?.VpcConfig as { SubnetIds: unknown } | undefined)?.SubnetIds).toEqual(
        existingVpc.privateSubnetIds,
      );
    }
  });

  it('adds the gateway endpoints to the given route tables and the interface endpoints to the given subnets', () => {
    const endpoints = ofType(resources, 'AWS::EC2::VPCEndpoint');
    for (const [, e] of endpoints) {
      expect(e.Properties?.VpcId).toBe(existingVpc.vpcId);
      if (e.Properties?.VpcEndpointType === 'Gateway')
        expect(e.Properties?.RouteTableIds).toEqual(existingVpc.privateSubnetRouteTableIds);
      else expect(e.Properties?.SubnetIds).toEqual(existingVpc.privateSubnetIds);
    }
    expect(endpoints.length).toBeGreaterThan(8);
  });
});

describe('Delivery pipeline (a separate stack, synthesized offline)', () => {
  const source = {
    connectionArn:
      'arn:aws:codeconnections:eu-west-1:123456789012:connection/0a1b2c3d-aaaa-bbbb-cccc-123456789012',
    repository: 'acme/kass',
    branch: 'main',
  };
  let pipeline: Record<string, unknown>;
  let resources: Resources;
  let stageStackNames: string[];
  beforeAll(() => {
    const built = buildApp({
      stage: 'prod',
      nag: false,
      context: {
        'aws:cdk:bundling-stacks': [],
        'kass:config': { pipeline: { enabled: true, source } },
      },
    });
    const assembly = built.app.synth();
    const artifact = assembly.getStackByName('kass-pipeline');
    resources = artifact.template.Resources as Resources;
    pipeline = (ofType(resources, 'AWS::CodePipeline::Pipeline')[0]?.[1].Properties ?? {}) as Record<
      string,
      unknown
    >;
    stageStackNames = assembly.nestedAssemblies.flatMap((n) =>
      n.nestedAssembly.stacks.map((s) => s.stackName),
    );
  });

  it('is a V2 pipeline (billed per action-minute) and summarizes as a pipeline, not as a stage', () => {
    expect(pipeline.PipelineType).toBe('V2');
    const printed = formatSummary(summarizeTemplate('kass-pipeline', { Resources: resources }));
    expect(printed).toContain('Pipeline: Source → Build → UpdatePipeline → Assets → Dev → Prod');
    expect(printed).not.toMatch(/Engine:|Knowledge bases:|Lambda concurrency:/);
  });

  it('goes source → synth (tests) → self-update → dev → approval → prod', () => {
    const stages = pipeline.Stages as {
      Name: string;
      Actions: { Name: string; ActionTypeId: { Category: string } }[];
    }[];
    expect(stages.map((s) => s.Name)).toEqual(['Source', 'Build', 'UpdatePipeline', 'Assets', 'Dev', 'Prod']);
    const prod = stages.find((s) => s.Name === 'Prod');
    expect(prod?.Actions.find((a) => a.ActionTypeId.Category === 'Approval')?.Name).toBe('ApproveProd');
    expect(
      stages.find((s) => s.Name === 'Dev')?.Actions.some((a) => a.ActionTypeId.Category === 'Approval'),
    ).toBe(false);
    expect(stageStackNames.sort()).toEqual(['kass-dev', 'kass-prod']);
  });

  it('reads the repository through the CodeConnections connection', () => {
    const [source0] =
      (pipeline.Stages as { Actions: { Configuration: Record<string, unknown> }[] }[])[0]?.Actions ?? [];
    expect(source0?.Configuration).toMatchObject({
      ConnectionArn: source.connectionArn,
      FullRepositoryId: 'acme/kass',
      BranchName: 'main',
    });
  });

  it('runs the README’s test command and synthesizes the host stage on Debian', () => {
    const synth = ofType(resources, 'AWS::CodeBuild::Project').find(([, p]) =>
      JSON.stringify(p.Properties?.Source).includes(TEST_COMMAND),
    );
    expect(synth).toBeDefined();
    const spec = JSON.parse(
      String((synth?.[1].Properties?.Source as { BuildSpec: string } | undefined)?.BuildSpec),
    ) as {
      phases: { install: { commands: string[] }; build: { commands: string[] } };
    };
    expect(spec.phases.build.commands).toEqual([TEST_COMMAND, 'npx cdk synth --quiet -c stage=prod']);
    expect(spec.phases.install.commands).toEqual([...CFN_LINT_INSTALL]);
    expect((synth?.[1].Properties?.Environment as { Image: string } | undefined)?.Image).toBe(BUILD_IMAGE);
  });

  it('keeps artifacts in a KMS-encrypted, SSL-only bucket with access logs', () => {
    const artifacts = ofType(resources, 'AWS::S3::Bucket').find(
      ([id]) => id.startsWith('Artifacts') && !id.includes('Access'),
    );
    expect(artifacts?.[1].Properties?.BucketEncryption).toMatchObject({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } }],
    });
    expect(artifacts?.[1].Properties?.LoggingConfiguration).toBeDefined();
  });
});

describe('The GitHub Actions workflow', () => {
  const workflow = fs.readFileSync(path.join(REPO_ROOT, '.github', 'workflows', 'test.yml'), 'utf8');

  it('runs the same test command on pull requests, on Debian, with the same cfn-lint', () => {
    expect(workflow).toMatch(/^on:\n {2}pull_request:/m);
    expect(workflow).toContain(`container: ${BUILD_IMAGE}`);
    expect(workflow).toContain(`run: ${TEST_COMMAND}`);
    expect(workflow).toContain('cfn-lint==1.51.0');
    expect(CFN_LINT_INSTALL.join('\n')).toContain('cfn-lint==1.51.0');
  });
});

describe('Operations settings are validated at synth', () => {
  it.each([
    { name: 'a bad CIDR', overrides: { network: { vpc: true, cidr: '10.0.0.0/8' } }, key: 'network.cidr' },
    {
      name: 'an existing VPC without vpc=true',
      overrides: {
        network: {
          vpc: false,
          existingVpc: {
            vpcId: 'vpc-0123456789abcdef0',
            cidrBlock: '10.1.0.0/16',
            availabilityZones: ['us-east-1a', 'us-east-1b'],
            privateSubnetIds: ['subnet-0aaaaaaaaaaaaaaaa', 'subnet-0bbbbbbbbbbbbbbbb'],
            privateSubnetRouteTableIds: ['rtb-0aaaaaaaaaaaaaaaa', 'rtb-0bbbbbbbbbbbbbbbb'],
          },
        },
      },
      key: 'network.existingVpc',
    },
    {
      name: 'subnets that do not match the AZs',
      overrides: {
        network: {
          vpc: true,
          existingVpc: {
            vpcId: 'vpc-0123456789abcdef0',
            cidrBlock: '10.1.0.0/16',
            availabilityZones: ['us-east-1a', 'us-east-1b'],
            privateSubnetIds: ['subnet-0aaaaaaaaaaaaaaaa'],
            privateSubnetRouteTableIds: ['rtb-0aaaaaaaaaaaaaaaa', 'rtb-0bbbbbbbbbbbbbbbb'],
          },
        },
      },
      key: 'network.existingVpc.privateSubnetIds',
    },
    {
      name: 'endpoints off in a new VPC',
      overrides: { network: { vpc: true, createEndpoints: false } },
      key: 'network.createEndpoints',
    },
    {
      name: 'a short key deletion window',
      overrides: { encryption: { customerManagedKey: true, pendingWindowDays: 3 } },
      key: 'encryption.pendingWindowDays',
    },
    {
      name: 'no invocation-log destination',
      overrides: {
        audit: { cloudTrail: false, modelInvocationLogging: { enabled: true, destinations: [] } },
      },
      key: 'audit.modelInvocationLogging.destinations',
    },
    {
      name: 'an http alarm endpoint',
      overrides: { alarms: { emails: [], httpsEndpoints: ['http://hooks.example.com'] } },
      key: 'alarms.httpsEndpoints.0',
    },
    {
      name: 'a pipeline without a source',
      overrides: { pipeline: { enabled: true } },
      key: 'pipeline.source',
    },
    {
      name: 'an approval for a stage the pipeline does not deploy',
      overrides: { pipeline: { enabled: false, stages: ['dev'], approvalBefore: ['prod'] } },
      key: 'pipeline.approvalBefore.0',
    },
    {
      name: 'a connection that is not a CodeConnections ARN',
      overrides: {
        pipeline: {
          enabled: true,
          source: { connectionArn: 'arn:aws:iam::123456789012:role/x', repository: 'a/b' },
        },
      },
      key: 'pipeline.source.connectionArn',
    },
  ])('fails naming the key: $name', ({ overrides, key }) => {
    let error: unknown;
    try {
      loadStageConfig('dev', overrides);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.some((p) => p.startsWith(`${key}:`))).toBe(true);
  });

  it('names an unknown stage in pipeline.stages', () => {
    expect(() =>
      buildApp({
        stage: 'dev',
        nag: false,
        context: {
          'aws:cdk:bundling-stacks': [],
          'kass:config': {
            pipeline: {
              enabled: true,
              stages: ['dev', 'qa'],
              approvalBefore: [],
              source: {
                connectionArn: 'arn:aws:codeconnections:us-east-1:123456789012:connection/abc',
                repository: 'a/b',
              },
            },
          },
        },
      }),
    ).toThrow(/pipeline\.stages: stage 'qa' cannot be deployed: stage: unknown stage 'qa'/);
  });
});

describe.each([
  ['s3-vectors', 'AWS::S3Vectors::VectorBucket'],
  ['aurora-pgvector', 'AWS::RDS::DBCluster'],
])('The stage key on the %s vector store', (vectorStore, type) => {
  let resources: Resources;
  let app: ReturnType<typeof buildTestApp>['app'];
  beforeAll(() => {
    ({ app } = buildTestApp('dev', {
      config: {
        knowledgeBase: { vectorStore },
        network: { vpc: true },
        encryption: { customerManagedKey: true },
      },
    }));
    resources = Template.fromStack(app.node.findChild('kass-dev') as Stack).toJSON().Resources as Resources;
  });

  it('encrypts the store with the stage key and stays cdk-nag clean', () => {
    const [[, store]] = ofType(resources, type) as unknown as [
      [string, { Properties: Record<string, unknown> }],
    ];
    const key = { 'Fn::GetAtt': [expect.stringMatching(/^EncryptionKey/), 'Arn'] };
    if (type === 'AWS::RDS::DBCluster')
      expect(store.Properties).toMatchObject({ StorageEncrypted: true, KmsKeyId: key });
    else
      expect(store.Properties.EncryptionConfiguration).toEqual({
        SseType: 'aws:kms',
        KmsArn: undefined,
        KmsKeyArn: key,
      });
    const report = new AwsSolutionsChecks(app, { verbose: true }).validateScope(app);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });
});
