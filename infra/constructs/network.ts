import { Annotations, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as aoss from 'aws-cdk-lib/aws-opensearchserverless';
import { Construct, type IConstruct } from 'constructs';
import { NAT_GATEWAY_MONTHLY, PRICES } from '../../contracts/prices';
import type { NetworkConfig } from '../config/operations-config';
import { nagResource } from './nag-ids';
import { actionsOf, roleLogicalId, roleStatements } from './role-policies';
import { type EndpointNeed, endpointFor, isOnBehalfOf } from './vpc-endpoint-services';
import { whenComplete } from './when-complete';

/** Where a function of the stack runs (the props a Lambda takes), or nothing when it stays outside the VPC. */
export interface FunctionPlacement {
  readonly vpc: ec2.IVpc;
  readonly vpcSubnets: ec2.SubnetSelection;
  readonly securityGroups: ec2.ISecurityGroup[];
}

export interface KassNetworkProps {
  /** Stage name: part of the OpenSearch Serverless endpoint's name. */
  readonly stage: string;
  readonly config: NetworkConfig;
  /** Retention of the VPC flow logs (rejected traffic). */
  readonly logRetentionDays: number;
  readonly retainData: boolean;
}

/** A function left outside the VPC, and why (it needs the internet and the stage has no NAT route). */
export interface OutsideVpcFunction {
  readonly path: string;
  readonly reason: string;
}

/** The network of each stack: KassFunction and other Lambda owners read it from here (a typed stack context). */
const NETWORKS = new WeakMap<Stack, KassNetwork>();

/**
 * Private networking for every Lambda of the stack (`network.vpc`): a two-AZ VPC (or an imported one), the
 * functions in private subnets behind one security group (HTTPS out only), gateway endpoints for S3 and
 * DynamoDB, and an interface endpoint for every other AWS service a function's role is granted, derived from
 * the synthesized policies once the stack is built. Functions that call the internet (they say so, with the
 * reason) run in subnets with a route to one NAT gateway when `natGateway` is on; the others have no route out
 * of the VPC at all. Without a NAT they stay outside the VPC and synth warns, naming them.
 *
 * Register it before any function is created; `KassNetwork.of(scope)` is how functions find it.
 */
export class KassNetwork extends Construct {
  public readonly vpc: ec2.IVpc;
  /** Functions: HTTPS out, nothing in. */
  public readonly functionSecurityGroup: ec2.SecurityGroup;
  /** Interface endpoints: HTTPS in from the functions only. */
  public readonly endpointSecurityGroup: ec2.SecurityGroup;
  /** Functions that call the internet run in the VPC (a NAT gateway or the imported VPC's NAT route). */
  public readonly internetInVpc: boolean;
  /** The NAT gateways this construct created (0 or 1). */
  public readonly natGateways: number;
  /** Endpoints by service short name (`s3`, `bedrock-runtime`, …), filled once the stack is complete. */
  public readonly endpoints = new Map<string, ec2.GatewayVpcEndpoint | ec2.InterfaceVpcEndpoint>();
  public readonly outsideVpc: OutsideVpcFunction[] = [];
  /** The OpenSearch Serverless VPC endpoint, when a private collection is limited to it. */
  public openSearchEndpoint?: aoss.CfnVpcEndpoint;
  private readonly awsOnlySubnets: ec2.SubnetSelection;
  private readonly internetSubnets?: ec2.SubnetSelection;
  private readonly internetFunctions = new Set<string>();

  /** The network of `scope`'s stack, if the stage turned it on. */
  static of(scope: IConstruct): KassNetwork | undefined {
    return NETWORKS.get(Stack.of(scope));
  }

  constructor(scope: Construct, id: string, props: KassNetworkProps) {
    super(scope, id);
    const stack = Stack.of(this);
    if (NETWORKS.has(stack)) throw new Error(`${stack.stackName} already has a KassNetwork`);
    NETWORKS.set(stack, this);
    const { config } = props;

    if (config.existingVpc) {
      const existing = config.existingVpc;
      this.vpc = ec2.Vpc.fromVpcAttributes(this, 'Vpc', {
        vpcId: existing.vpcId,
        vpcCidrBlock: existing.cidrBlock,
        availabilityZones: existing.availabilityZones,
        privateSubnetIds: existing.privateSubnetIds,
        privateSubnetRouteTableIds: existing.privateSubnetRouteTableIds,
      });
      this.awsOnlySubnets = { subnets: this.vpc.privateSubnets };
      this.internetInVpc = config.natGateway;
      if (config.natGateway) this.internetSubnets = this.awsOnlySubnets;
      this.natGateways = 0;
    } else {
      const flowLogs = new logs.LogGroup(this, 'FlowLogs', {
        retention: props.logRetentionDays as logs.RetentionDays,
        removalPolicy: props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      });
      const subnetConfiguration: ec2.SubnetConfiguration[] = [
        // No route out of the VPC: AWS is reached through the endpoints only.
        { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      ];
      if (config.natGateway) {
        subnetConfiguration.push(
          { name: 'Public', subnetType: ec2.SubnetType.PUBLIC },
          { name: 'Egress', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
        );
      }
      const vpc = new ec2.Vpc(this, 'Vpc', {
        ipAddresses: ec2.IpAddresses.cidr(config.cidr),
        maxAzs: 2,
        natGateways: config.natGateway ? 1 : 0,
        subnetConfiguration,
        // Nothing uses the default security group; restricting it would add a custom-resource Lambda.
        restrictDefaultSecurityGroup: false,
        flowLogs: {
          rejected: {
            destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs),
            trafficType: ec2.FlowLogTrafficType.REJECT,
          },
        },
      });
      this.vpc = vpc;
      this.awsOnlySubnets = { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
      this.internetInVpc = config.natGateway;
      if (config.natGateway) this.internetSubnets = { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
      this.natGateways = config.natGateway ? 1 : 0;
    }

    this.functionSecurityGroup = new ec2.SecurityGroup(this, 'FunctionSecurityGroup', {
      vpc: this.vpc,
      description: 'KASS Lambda functions: HTTPS out (endpoints, and the internet where routed), nothing in',
      allowAllOutbound: false,
    });
    // Gateway endpoints are reached at S3's and DynamoDB's public addresses, so the destination cannot be
    // narrower than the internet; the subnets' routes decide what is reachable.
    this.functionSecurityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to AWS APIs');
    this.endpointSecurityGroup = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc: this.vpc,
      description: 'KASS interface endpoints: HTTPS from the KASS functions only',
      allowAllOutbound: false,
    });
    this.endpointSecurityGroup.addIngressRule(
      this.functionSecurityGroup,
      ec2.Port.tcp(443),
      'HTTPS from the KASS functions',
    );
    // A security group needs at least one rule to stay closed: without it EC2 adds allow-all egress.
    this.endpointSecurityGroup.addEgressRule(
      ec2.Peer.ipv4('255.255.255.255/32'),
      ec2.Port.icmpType(86),
      'Disallow all traffic',
    );

    // Endpoints are derived from the finished stack: every grant exists by then.
    if (config.createEndpoints) {
      whenComplete(this, () => {
        this.addEndpoints();
        this.limitPrivateCollections(props.stage);
      });
    }
    this.node.addValidation({ validate: () => this.checkInternetAccess() });
  }

  /**
   * Where a Lambda goes. `internetAccess` names what it calls on the internet (e.g. "GitLab"); such a function
   * runs in subnets with a NAT route, or outside the VPC (recorded and warned) when the stage has none.
   */
  placementFor(fn: IConstruct, internetAccess?: string): FunctionPlacement | undefined {
    if (internetAccess) {
      this.internetFunctions.add(fn.node.path);
      if (!this.internetSubnets) {
        this.outsideVpc.push({ path: fn.node.path, reason: internetAccess });
        Annotations.of(fn).addWarningV2(
          'kass:outside-vpc',
          `runs outside the VPC: it calls ${internetAccess} and network.natGateway is off. Set ` +
            `network.natGateway=true (one NAT gateway, about $${NAT_GATEWAY_MONTHLY.toFixed(2)} a month plus ` +
            `$${PRICES.natGatewayGb.usd} per GB) to run it in the VPC.`,
        );
        return undefined;
      }
    }
    return {
      vpc: this.vpc,
      vpcSubnets: internetAccess && this.internetSubnets ? this.internetSubnets : this.awsOnlySubnets,
      securityGroups: [this.functionSecurityGroup],
    };
  }

  /**
   * What Lambda needs from a function's own role to attach it to the VPC (instead of the managed
   * AWSLambdaVPCAccessExecutionRole): network interfaces in this account and region, created only in the
   * placement's subnets and security group.
   */
  grantNetworkInterfaces(role: iam.Role, placement: FunctionPlacement): void {
    const stack = Stack.of(this);
    const arn = (resource: string, name: string) =>
      stack.formatArn({ service: 'ec2', resource, resourceName: name });
    const interfaces = arn('network-interface', '*');
    const subnets = this.vpc.selectSubnets(placement.vpcSubnets).subnetIds.map((id) => arn('subnet', id));
    const groups = placement.securityGroups.map((g) => arn('security-group', g.securityGroupId));
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'VpcNetworkInterfaces',
        actions: ['ec2:CreateNetworkInterface'],
        resources: [interfaces, ...subnets, ...groups],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'VpcNetworkInterfaceLifecycle',
        actions: [
          'ec2:DeleteNetworkInterface',
          'ec2:AssignPrivateIpAddresses',
          'ec2:UnassignPrivateIpAddresses',
        ],
        resources: [interfaces],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'VpcDescribe',
        actions: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets'],
        resources: ['*'],
      }),
    );
    Validations.of(role).acknowledge(
      {
        id: `AwsSolutions-IAM5[Resource::${nagResource(this, interfaces)}]`,
        reason:
          'Lambda creates and removes the function’s network interfaces at run time, so their ids are unknown; ' +
          'creation is limited to the KASS subnets and security group.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'ec2:DescribeNetworkInterfaces and ec2:DescribeSubnets (Lambda attaching the function to the VPC) have ' +
          'no resource-level permissions, nor do the X-Ray writes of active tracing.',
      },
    );
  }

  /** The Lambdas placed in this VPC (every Lambda of the stack with a VpcConfig). */
  functionsInVpc(): lambda.Function[] {
    return Stack.of(this)
      .node.findAll()
      .filter((c): c is lambda.Function => c instanceof lambda.Function)
      .filter((f) => (f.node.defaultChild as lambda.CfnFunction).vpcConfig !== undefined);
  }

  /**
   * The endpoints the functions in the VPC need, from their roles' policies: service → the functions (paths)
   * granted it. Statements other services use on the function's behalf (KMS through `kms:ViaService`) need none.
   */
  requiredEndpoints(): Map<string, { need: EndpointNeed; functions: Set<string> }> {
    const statements = roleStatements(this);
    const needs = new Map<string, { need: EndpointNeed; functions: Set<string> }>();
    for (const fn of this.functionsInVpc()) {
      const roleId = roleLogicalId(fn.role);
      for (const statement of roleId ? (statements.get(roleId) ?? []) : []) {
        if (isOnBehalfOf(statement.Condition)) continue;
        for (const action of actionsOf(statement)) {
          const need = endpointFor(action);
          const key =
            need.kind === 'gateway' || need.kind === 'interface' ? need.service : `${need.kind}:${action}`;
          const entry = needs.get(key) ?? { need, functions: new Set<string>() };
          entry.functions.add(fn.node.path);
          needs.set(key, entry);
        }
      }
    }
    return needs;
  }

  private addEndpoints(): void {
    const gatewaySubnets: ec2.SubnetSelection[] = this.internetSubnets
      ? [this.awsOnlySubnets, this.internetSubnets]
      : [this.awsOnlySubnets];
    // The gateway endpoints are free and always there: custom resources answer CloudFormation through a
    // pre-signed S3 URL, which no IAM grant reveals.
    const always: EndpointNeed[] = [
      { kind: 'gateway', service: 's3' },
      { kind: 'gateway', service: 'dynamodb' },
    ];
    const services = [...always, ...[...this.requiredEndpoints().values()].map(({ need }) => need)].filter(
      (need) => need.kind === 'gateway' || need.kind === 'interface',
    );
    for (const need of services.sort((a, b) => a.service.localeCompare(b.service))) {
      if (this.endpoints.has(need.service)) continue;
      const id = need.service.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase());
      if (need.kind === 'gateway') {
        this.endpoints.set(
          need.service,
          new ec2.GatewayVpcEndpoint(this, `${id}Gateway`, {
            vpc: this.vpc,
            service: new ec2.GatewayVpcEndpointAwsService(need.service),
            // With the same subnets selected twice (imported VPC), the route tables are only listed once.
            subnets: dedupeSelections(this.vpc, gatewaySubnets),
          }),
        );
      } else {
        this.endpoints.set(
          need.service,
          new ec2.InterfaceVpcEndpoint(this, `${id}Endpoint`, {
            vpc: this.vpc,
            service: new ec2.InterfaceVpcEndpointAwsService(need.service),
            privateDnsEnabled: true,
            subnets: this.awsOnlySubnets,
            securityGroups: [this.endpointSecurityGroup],
            open: false,
          }),
        );
      }
    }
  }

  /**
   * A private OpenSearch Serverless collection (a network policy rule with `AllowFromPublic: false`, i.e.
   * `knowledgeBase.network.allowFromPublic: false`) gets an OpenSearch Serverless VPC endpoint in the private
   * subnets, and its rule names that endpoint besides Bedrock: nothing outside the KASS VPC and Bedrock reaches it.
   */
  private limitPrivateCollections(stage: string): void {
    const stack = Stack.of(this);
    const policies = stack.node
      .findAll()
      .filter((c): c is aoss.CfnSecurityPolicy => c instanceof aoss.CfnSecurityPolicy && c.type === 'network')
      .map((policy) => ({
        policy,
        rules: typeof policy.policy === 'string' ? (JSON.parse(policy.policy) as Rule[]) : [],
      }))
      .filter(({ rules }) => rules.some((r) => r.AllowFromPublic === false));
    if (policies.length === 0) return;
    this.openSearchEndpoint = new aoss.CfnVpcEndpoint(this, 'OpenSearchEndpoint', {
      name: `kass-${stage}-aoss`.slice(0, 32),
      vpcId: this.vpc.vpcId,
      subnetIds: this.vpc.selectSubnets(this.awsOnlySubnets).subnetIds,
      securityGroupIds: [this.endpointSecurityGroup.securityGroupId],
    });
    for (const { policy, rules } of policies) {
      policy.description = 'KASS documents collection: Bedrock and the KASS VPC endpoint only';
      policy.policy = stack.toJsonString(
        rules.map((r) =>
          r.AllowFromPublic === false ? { ...r, SourceVPCEs: [this.openSearchEndpoint?.attrId] } : r,
        ),
      );
    }
  }

  /** A function granted an internet-only API must say so (or it would run where that API is unreachable). */
  private checkInternetAccess(): string[] {
    const problems: string[] = [];
    for (const [, { need, functions }] of this.requiredEndpoints()) {
      if (need.kind !== 'internet') continue;
      for (const path of functions) {
        const declared = [...this.internetFunctions].some(
          (owner) => path === owner || path.startsWith(`${owner}/`),
        );
        if (!declared) {
          problems.push(
            `${path} is granted a call that is only reachable over the internet from a VPC (${need.why}); ` +
              'give its KassFunction internetAccess so it runs where a NAT route exists.',
          );
        }
      }
    }
    return problems;
  }
}

/** A rule of an OpenSearch Serverless network policy. */
type Rule = { AllowFromPublic?: boolean } & Record<string, unknown>;

/** The selections as one list of subnets (route tables of a subnet selected twice are listed once). */
function dedupeSelections(vpc: ec2.IVpc, selections: ec2.SubnetSelection[]): ec2.SubnetSelection[] {
  const seen = new Set<string>();
  const subnets: ec2.ISubnet[] = [];
  for (const selection of selections) {
    for (const subnet of vpc.selectSubnets(selection).subnets) {
      if (seen.has(subnet.node.path)) continue;
      seen.add(subnet.node.path);
      subnets.push(subnet);
    }
  }
  return [{ subnets }];
}
