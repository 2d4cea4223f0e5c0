import { ArnFormat, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { nagResource } from '../nag-ids';

/**
 * The log-group name prefixes the account role writes to: what API Gateway names execution logs (REST
 * `API-Gateway-Execution-Logs_<apiId>/<stage>`, WebSocket `/aws/apigateway/<apiId>/<stage>`), and where KASS
 * names its access-log groups, so one narrow role serves both (the managed AmazonAPIGatewayPushToCloudWatchLogs
 * policy allows every group).
 */
export const API_GATEWAY_LOG_GROUP_PREFIXES = ['API-Gateway-Execution-Logs_', '/aws/apigateway/'] as const;

/** The access-log group of an API stage, under `/aws/apigateway/` where the account logging role may write. */
export const accessLogGroupName = (apiId: string, stage: string): string =>
  `/aws/apigateway/${apiId}/${stage}/access-logs`;

const ROLE_REASON =
  'API Gateway names execution log groups per API and stage (API-Gateway-Execution-Logs_<apiId>/<stage>, ' +
  '/aws/apigateway/<apiId>/<stage>) and this account-wide role serves every API, so the groups are matched by ' +
  'prefix; DescribeLogGroups has no narrower resource.';

/**
 * The role API Gateway uses to write execution and access logs for every API in this account and region, and
 * the account setting that points at it (created only with `chatApi.accountCloudWatchRole: 'create'`: setting
 * it replaces the role any other stack set). Both are retained on delete: other APIs (and other stages of KASS)
 * may log through them. The policy is the managed AmazonAPIGatewayPushToCloudWatchLogs narrowed to
 * {@link API_GATEWAY_LOG_GROUP_PREFIXES}; the trust policy is the one AWS documents for this role (API Gateway,
 * no conditions).
 */
export class ApiGatewayAccountLogging extends Construct {
  public readonly role: iam.Role;
  /** The account setting; API stages that turn on execution logging are created after it. */
  public readonly account: apigw.CfnAccount;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const stack = Stack.of(this);
    const logGroup = (name: string) =>
      stack.formatArn({
        service: 'logs',
        resource: 'log-group',
        resourceName: name,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
    const prefixed = API_GATEWAY_LOG_GROUP_PREFIXES.flatMap((prefix) => [
      logGroup(`${prefix}*`),
      logGroup(`${prefix}*:log-stream:*`),
    ]);
    const anyGroup = logGroup('*');
    this.role = new iam.Role(this, 'ApiGatewayCloudWatchRole', {
      description: 'API Gateway (account-wide): writes REST and WebSocket execution and access logs',
      assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      inlinePolicies: {
        PushExecutionLogs: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              actions: [
                'logs:CreateLogGroup',
                'logs:CreateLogStream',
                'logs:DescribeLogStreams',
                'logs:PutLogEvents',
                'logs:GetLogEvents',
                'logs:FilterLogEvents',
              ],
              resources: prefixed,
            }),
            new iam.PolicyStatement({ actions: ['logs:DescribeLogGroups'], resources: [anyGroup] }),
          ],
        }),
      },
    });
    this.role.applyRemovalPolicy(RemovalPolicy.RETAIN);
    this.account = new apigw.CfnAccount(this, 'ApiGatewayAccount', { cloudWatchRoleArn: this.role.roleArn });
    this.account.applyRemovalPolicy(RemovalPolicy.RETAIN);
    this.account.node.addDependency(this.role);
    Validations.of(this.role).acknowledge(
      ...prefixed.map((arn) => ({
        id: `AwsSolutions-IAM5[Resource::${nagResource(this, arn)}]`,
        reason: ROLE_REASON,
      })),
      {
        id: `AwsSolutions-IAM5[Resource::${nagResource(this, anyGroup)}]`,
        reason: 'logs:DescribeLogGroups has no resource narrower than log-group:* (the action lists groups).',
      },
    );
  }
}
