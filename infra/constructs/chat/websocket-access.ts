import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';

/** One JSON record per WebSocket event; no query strings (the `$connect` token travels there). */
export const WS_ACCESS_LOG_FORMAT = apigw.AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    extendedRequestId: '$context.extendedRequestId',
    requestTime: '$context.requestTime',
    ip: '$context.identity.sourceIp',
    userAgent: '$context.identity.userAgent',
    routeKey: '$context.routeKey',
    eventType: '$context.eventType',
    connectionId: '$context.connectionId',
    status: '$context.status',
    integrationStatus: '$context.integrationStatus',
    integrationLatencyMs: '$context.integrationLatency',
    apiKeyId: '$context.identity.apiKeyId',
    // No owner or principal: an app's user id can be an e-mail address.
    authorizerError: '$context.authorizer.error',
    errorMessage: '$context.error.message',
  }),
);

/**
 * An on-failure destination that invokes exactly `target` (the L2 LambdaDestination also grants every
 * version and alias, `<arn>:*`). Lambda sends the full invocation record, request payload included.
 */
export function exactFunctionDestination(target: lambda.IFunction): lambda.IDestination {
  return {
    bind: (_scope, fn) => {
      fn.addToRolePolicy(
        new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [target.functionArn] }),
      );
      return { destination: target.functionArn };
    },
  };
}
