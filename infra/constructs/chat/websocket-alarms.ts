import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { deadLetterAlarm } from '../dead-letter-alarm';
import type { KassFunction } from '../kass-function';
import { throttleAlarm } from './throttle-alarm';

export interface WebSocketAlarms {
  readonly errorAlarm: cloudwatch.Alarm;
  readonly turnDeadLetterAlarm: cloudwatch.Alarm;
  readonly turnThrottleAlarm: cloudwatch.Alarm;
}

/**
 * The WebSocket API's alarms, created in `scope` (the API construct, so their ids stay where they were):
 * integration errors, turns dead-lettered outside the worker's error handling, and throttled turns.
 */
export function webSocketAlarms(
  scope: Construct,
  parts: {
    readonly apiId: string;
    readonly stage: string;
    readonly turnDeadLetterQueue: sqs.IQueue;
    readonly turnFunction: KassFunction;
  },
): WebSocketAlarms {
  const errorAlarm = new cloudwatch.Alarm(scope, 'ErrorAlarm', {
    alarmDescription: `KASS chat WebSocket API (${parts.stage}): integration errors; check the ws-* function logs.`,
    metric: new cloudwatch.Metric({
      namespace: 'AWS/ApiGateway',
      metricName: 'IntegrationError',
      dimensionsMap: { ApiId: parts.apiId, Stage: parts.stage },
      period: Duration.minutes(5),
      statistic: cloudwatch.Stats.SUM,
    }),
    threshold: 5,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  const turnDeadLetterAlarm = deadLetterAlarm(
    scope,
    'TurnDeadLetterAlarm',
    parts.turnDeadLetterQueue,
    'WebSocket chat turns failed outside the worker’s error handling (see the DLQ messages).',
  );
  const turnThrottleAlarm = throttleAlarm(scope, 'TurnThrottleAlarm', parts.turnFunction);
  return { errorAlarm, turnDeadLetterAlarm, turnThrottleAlarm };
}
