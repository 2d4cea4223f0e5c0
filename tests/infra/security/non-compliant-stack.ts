import {
  App,
  aws_apigateway as apigw,
  CfnDeletionPolicy,
  aws_cloudwatch as cw,
  aws_dynamodb as ddb,
  aws_iam as iam,
  aws_lambda as lambda,
  aws_logs as logs,
  Stack,
  aws_s3 as s3,
  aws_sqs as sqs,
} from 'aws-cdk-lib';

/** The resource-policy document that refuses `action` over plain HTTP. */
const denyPlainHttp = (action: string, resource: string) => ({
  Statement: [
    {
      Effect: 'Deny',
      Principal: '*',
      Action: action,
      Resource: resource,
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    },
  ],
});

/**
 * One stack that breaks every security check on purpose, one condition per resource, each resource otherwise
 * compliant: `Item<NN><Condition>` breaks exactly the condition its name says. What each check must report
 * is listed in {@link EXPECTED_FINDINGS}; the test fails if a check misses one, so no check passes silently.
 */
export function nonCompliantStack(): Stack {
  const stack = new Stack(new App(), 'NonCompliant', {
    env: { account: '123456789012', region: 'us-east-1' },
  });
  const statement = (action: string) => ({ Effect: 'Allow', Action: action, Resource: 'arn:aws:s3:::b/*' });
  const role = new iam.CfnRole(stack, 'Role', {
    assumeRolePolicyDocument: {
      Statement: [
        { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
      ],
    },
  });

  // 1: wildcard actions, in a policy, a managed policy and a role's inline policy.
  new iam.CfnPolicy(stack, 'Item01StarAction', {
    policyName: 'p',
    roles: [role.ref],
    policyDocument: { Statement: [statement('s3:GetObject'), statement('*')] },
  });
  new iam.CfnManagedPolicy(stack, 'Item01ServiceStar', {
    policyDocument: { Statement: [statement('s3:*')] },
  });
  new iam.CfnRole(stack, 'Item01InlineStar', {
    assumeRolePolicyDocument: role.assumeRolePolicyDocument,
    policies: [{ policyName: 'p', policyDocument: { Statement: [statement('dynamodb:*')] } }],
  });

  // 2: an AWS managed policy on a role.
  new iam.CfnRole(stack, 'Item02ManagedPolicy', {
    assumeRolePolicyDocument: role.assumeRolePolicyDocument,
    managedPolicyArns: ['arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
  });

  // 7: Bedrock may invoke without naming the agent, or the account.
  const permission = (id: string, props: Partial<lambda.CfnPermissionProps>) =>
    new lambda.CfnPermission(stack, id, {
      action: 'lambda:InvokeFunction',
      functionName: 'f',
      principal: 'bedrock.amazonaws.com',
      sourceArn: 'arn:aws:bedrock:us-east-1:123456789012:agent/*',
      sourceAccount: '123456789012',
      ...props,
    });
  permission('Item07NoSourceArn', { sourceArn: undefined });
  permission('Item07NoSourceAccount', { sourceAccount: undefined });

  // 8: one function per missing setting, and a log group that keeps logs forever.
  const group = new logs.CfnLogGroup(stack, 'Logs', { retentionInDays: 14 });
  const fn = (id: string, props: Partial<lambda.CfnFunctionProps>) =>
    new lambda.CfnFunction(stack, id, {
      code: { zipFile: 'exports.handler = async () => ({})' },
      role: role.attrArn,
      handler: 'index.handler',
      runtime: 'nodejs24.x',
      timeout: 30,
      memorySize: 512,
      tracingConfig: { mode: 'Active' },
      loggingConfig: { logGroup: group.ref },
      ...props,
    });
  fn('Item08NoTimeout', { timeout: undefined });
  fn('Item08NoMemory', { memorySize: undefined });
  fn('Item08NoLogGroup', { loggingConfig: undefined });
  fn('Item08OldRuntime', { runtime: 'nodejs22.x' });
  fn('Item08NoTracing', { tracingConfig: { mode: 'PassThrough' } });
  new logs.CfnLogGroup(stack, 'Item08ForeverLogs', {});

  // 9: a queue consumer that retries a whole batch for one bad message.
  new lambda.CfnEventSourceMapping(stack, 'Item09WholeBatch', {
    functionName: 'f',
    eventSourceArn: 'arn:aws:sqs:us-east-1:123456789012:q',
  });

  // 12: a GitLab token in plain sight.
  fn('Item12TokenInEnv', { environment: { variables: { GITLAB_TOKEN: 'glpat-0123456789abcdefghij' } } });

  // 13: one REST stage per missing logging, tracing or throttling setting.
  const methodSettings = {
    httpMethod: '*',
    resourcePath: '/*',
    dataTraceEnabled: false,
    loggingLevel: 'INFO',
    throttlingRateLimit: 10,
    throttlingBurstLimit: 20,
  };
  const restStage = (
    id: string,
    props: Partial<apigw.CfnStageProps>,
    settings: Record<string, unknown> = {},
  ) =>
    new apigw.CfnStage(stack, id, {
      restApiId: 'api',
      tracingEnabled: true,
      accessLogSetting: { destinationArn: group.attrArn, format: '{"requestId":"$context.requestId"}' },
      methodSettings: [{ ...methodSettings, ...settings }],
      ...props,
    });
  restStage('Item13NoTracing', { tracingEnabled: false });
  restStage('Item13TextAccessLog', {
    accessLogSetting: { destinationArn: group.attrArn, format: '$context.requestId' },
  });
  restStage('Item13DataTrace', {}, { dataTraceEnabled: true });
  restStage('Item13NoExecutionLog', {}, { loggingLevel: 'OFF' });
  restStage('Item13NoThrottle', {}, { throttlingRateLimit: undefined, throttlingBurstLimit: undefined });

  // 17: tables without PITR or encryption, and (the stage keeps data) one that is unprotected or not retained.
  const table = (id: string, props: Partial<ddb.CfnTableProps>) =>
    new ddb.CfnTable(stack, id, {
      keySchema: [{ attributeName: 'pk', keyType: 'HASH' }],
      attributeDefinitions: [{ attributeName: 'pk', attributeType: 'S' }],
      billingMode: 'PAY_PER_REQUEST',
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      sseSpecification: { sseEnabled: true },
      deletionProtectionEnabled: true,
      ...props,
    });
  for (const t of [
    table('Item17NoPitr', { pointInTimeRecoverySpecification: undefined }),
    table('Item17NoSse', { sseSpecification: undefined }),
    table('Item17Unprotected', { deletionProtectionEnabled: false }),
  ]) {
    t.cfnOptions.deletionPolicy = CfnDeletionPolicy.RETAIN;
  }
  table('Item17NotRetained', {});

  // 19: one bucket per missing protection; `Logs` receives the access logs of the others.
  let logBucket: s3.CfnBucket | undefined;
  const bucket = (id: string, props: Partial<s3.CfnBucketProps>, sslOnly = true) => {
    const b = new s3.CfnBucket(stack, id, {
      publicAccessBlockConfiguration: {
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      bucketEncryption: {
        serverSideEncryptionConfiguration: [{ serverSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }],
      },
      versioningConfiguration: { status: 'Enabled' },
      ...(logBucket ? { loggingConfiguration: { destinationBucketName: logBucket.ref } } : {}),
      ...props,
    });
    if (sslOnly) {
      new s3.CfnBucketPolicy(stack, `${id}Policy`, {
        bucket: b.ref,
        policyDocument: denyPlainHttp('s3:*', b.attrArn),
      });
    }
    return b;
  };
  // Receives the others' access logs (so it needs none itself) and is otherwise locked down.
  logBucket = bucket('LogBucket', {});
  bucket('Item19PublicAccess', { publicAccessBlockConfiguration: { blockPublicAcls: true } });
  bucket('Item19Unencrypted', { bucketEncryption: undefined });
  bucket('Item19Unversioned', { versioningConfiguration: undefined });
  bucket('Item19PlainHttp', {}, false);
  bucket('Item19NoAccessLogs', { loggingConfiguration: undefined });

  // 20: one queue per missing protection, and a DLQ that forgets after 4 days.
  const queue = (id: string, props: Partial<sqs.CfnQueueProps>, sslOnly = true) => {
    const q = new sqs.CfnQueue(stack, id, { sqsManagedSseEnabled: true, ...props });
    if (sslOnly) {
      new sqs.CfnQueuePolicy(stack, `${id}Policy`, {
        queues: [q.ref],
        policyDocument: denyPlainHttp('sqs:*', q.attrArn),
      });
    }
    return q;
  };
  const dlq = queue('Item20ShortDlq', { messageRetentionPeriod: 345600 });
  const redrive = { deadLetterTargetArn: dlq.attrArn, maxReceiveCount: 3 };
  queue('Item20Unencrypted', { sqsManagedSseEnabled: false, redrivePolicy: redrive });
  queue('Item20PlainHttp', { redrivePolicy: redrive }, false);
  queue('Item20NoDlq', {});

  // 25: only an Errors alarm, and it notifies nobody.
  new cw.CfnAlarm(stack, 'Item25Silent', {
    metricName: 'Errors',
    namespace: 'AWS/Lambda',
    statistic: 'Sum',
    period: 60,
    evaluationPeriods: 1,
    threshold: 1,
    comparisonOperator: 'GreaterThanOrEqualToThreshold',
  });
  return stack;
}

/** What each check must report on {@link nonCompliantStack}: [logical id, a phrase of the problem]. */
export const EXPECTED_FINDINGS: Readonly<Record<number, readonly (readonly [string, string])[]>> = {
  1: [
    ['Item01StarAction', 'allows the action *'],
    ['Item01ServiceStar', 'allows the action s3:*'],
    ['Item01InlineStar', 'allows the action dynamodb:*'],
  ],
  2: [['Item02ManagedPolicy', 'attaches managed policies']],
  7: [
    ['Item07NoSourceArn', 'has no SourceArn'],
    ['Item07NoSourceAccount', 'has no SourceAccount'],
  ],
  8: [
    ['Item08NoTimeout', 'Timeout'],
    ['Item08NoMemory', 'MemorySize'],
    ['Item08NoLogGroup', 'log group'],
    ['Item08OldRuntime', 'runs nodejs22.x'],
    ['Item08NoTracing', 'tracing'],
    ['Item08ForeverLogs', 'RetentionInDays'],
  ],
  9: [['Item09WholeBatch', 'batch item failures']],
  12: [['Item12TokenInEnv', 'GITLAB_TOKEN looks like a secret']],
  13: [
    ['Item13NoTracing', 'TracingEnabled'],
    ['Item13TextAccessLog', 'JSON access log'],
    ['Item13DataTrace', 'DataTraceEnabled'],
    ['Item13NoExecutionLog', 'execution logging'],
    ['Item13NoThrottle', 'throttling'],
  ],
  17: [
    ['Item17NoPitr', 'point-in-time recovery'],
    ['Item17NoSse', 'SSESpecification'],
    ['Item17Unprotected', 'deletion-protected'],
    ['Item17NotRetained', 'deleted with the stack'],
  ],
  19: [
    ['Item19PublicAccess', 'public access'],
    ['Item19Unencrypted', 'not encrypted'],
    ['Item19Unversioned', 'not versioned'],
    ['Item19PlainHttp', 'plain HTTP'],
    ['Item19NoAccessLogs', 'access logs'],
  ],
  20: [
    ['Item20Unencrypted', 'not encrypted'],
    ['Item20PlainHttp', 'plain HTTP'],
    ['Item20NoDlq', 'neither a DLQ nor redriven'],
    ['Item20ShortDlq', '< 14 days'],
  ],
  25: [
    ['(stack)', 'no alarm on Throttles'],
    ['(stack)', 'no alarm on ApproximateNumberOfMessagesVisible'],
    ['(stack)', 'no alarm on 5XXError'],
    ['Item25Silent', 'notifies nobody'],
  ],
};
