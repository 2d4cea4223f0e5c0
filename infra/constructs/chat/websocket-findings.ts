import { Validations } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { KassFunction } from '../kass-function';
import { nagResource } from '../nag-ids';

/** The WebSocket API's cdk-nag acknowledgements, each with the reason the finding does not apply. */
export function acknowledgeWebSocketFindings(
  scope: Construct,
  parts: {
    readonly api: apigwv2.WebSocketApi;
    /** The `execute-api:ManageConnections` resource of the stage's connections. */
    readonly connectionsArn: string;
    /** The functions that post to connections. */
    readonly postingFunctions: readonly KassFunction[];
    readonly turnDeadLetterQueue: sqs.IQueue;
  },
): void {
  const reason =
    'API Gateway authorises a WebSocket connection once, on $connect (the only route that accepts an ' +
    'authorizer); this route only carries messages over that authorised connection.';
  for (const routeKey of ['$disconnect', '$default', 'sendMessage']) {
    const route = parts.api.node
      .findAll()
      .find((c) => c instanceof apigwv2.WebSocketRoute && c.routeKey === routeKey);
    if (route) Validations.of(route).acknowledge({ id: 'AwsSolutions-APIG4', reason });
  }
  for (const f of parts.postingFunctions) {
    Validations.of(f.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagResource(scope, parts.connectionsArn)}]`,
      reason:
        'Connection ids exist only at runtime; the grant is PostToConnection on this API and stage, nothing else.',
    });
  }
  Validations.of(parts.turnDeadLetterQueue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason:
      'This queue is itself the dead-letter destination (async on-failure) of the turn failure notifier; a DLQ ' +
      'for it would only move the same messages again. Its depth alarms.',
  });
}
