import { Duration, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, type IConstruct } from 'constructs';
import {
  INGESTION_METRICS,
  METRICS_NAMESPACE,
  SERVICE_DIMENSION,
  TOOL_METRICS,
  TURN_METRICS,
} from '../../contracts/metric-names';
import type { AlarmsConfig } from '../config/operations-config';
import { deadLetterAlarm } from './dead-letter-alarm';
import { deadLetterQueuesOf } from './dead-letter-queues';
import { Ingestion } from './ingestion';
import { KassFunction } from './kass-function';
import { Tools } from './tools';
import { whenComplete } from './when-complete';

export interface HealthAlarmsProps {
  readonly stage: string;
  /** Where every alarm notifies. */
  readonly topic: sns.ITopic;
  readonly thresholds: AlarmsConfig['thresholds'];
}

/** The environment variable every function that runs chat turns reads (REST, WebSocket, Discord). */
export const TURN_FUNCTION_MARKER = 'AGENT_DEADLINE_SECONDS';

/** A function's Powertools service name: the `service` dimension of its custom metrics. */
export function serviceNameOf(fn: KassFunction): string | undefined {
  const cfn = fn.function.node.defaultChild as { environment?: { variables?: Record<string, unknown> } };
  const value = Stack.of(fn).resolve(cfn.environment)?.variables?.POWERTOOLS_SERVICE_NAME;
  return typeof value === 'string' ? value : undefined;
}

/** The KassFunctions of `scope`'s stack that run chat turns. */
export function turnFunctionsOf(scope: IConstruct): KassFunction[] {
  return Stack.of(scope)
    .node.findAll()
    .filter((c): c is KassFunction => c instanceof KassFunction)
    .filter((f) => {
      const cfn = f.function.node.defaultChild as { environment?: { variables?: Record<string, unknown> } };
      return TURN_FUNCTION_MARKER in (Stack.of(f).resolve(cfn.environment)?.variables ?? {});
    });
}

const FIVE_MINUTES = Duration.minutes(5);

/** A KASS custom metric of one service (the `service` dimension), summed over 5 minutes. */
const serviceSum = (metricName: string, service: string) =>
  new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { [SERVICE_DIMENSION]: service },
    statistic: cloudwatch.Stats.SUM,
    period: FIVE_MINUTES,
  });

/**
 * The stage's health alarms, found from the finished stack (so a new tool, API or queue is covered without an
 * edit), all notifying the alarm topic:
 *
 * - every dead-letter queue: a message in it (the constructs' own DLQ alarms count; a DLQ without one gets one);
 * - every tool: its failed calls (5xx) above `toolErrorRatePercent` of its calls in 5 minutes;
 * - every REST API: 5XX answers above `api5xxRatePercent` of its requests in 5 minutes;
 * - knowledge-base ingestion: a failed or rejected ingestion job, or documents that failed to index;
 * - chat turns (every channel): p90 latency above `chatLatencyP90Seconds` over 15 minutes;
 *
 * and the composite "KASS <stage> unhealthy", in ALARM while any alarm of the stack is (it also notifies when
 * everything is back to OK). Rates judge only windows with at least `minimumRequests` calls.
 */
export class HealthAlarms extends Construct {
  public readonly deadLetterAlarms: cloudwatch.Alarm[] = [];
  public readonly toolErrorRateAlarms: cloudwatch.Alarm[] = [];
  public readonly apiServerErrorRateAlarms: cloudwatch.Alarm[] = [];
  public readonly ingestionFailureAlarms: cloudwatch.Alarm[] = [];
  public chatLatencyAlarm?: cloudwatch.Alarm;
  public unhealthy?: cloudwatch.CompositeAlarm;
  private built = false;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: HealthAlarmsProps,
  ) {
    super(scope, id);
    whenComplete(this, () => this.build());
  }

  /** Creates the alarms from the finished stack (once; synthesis calls it, so does the dashboard first). */
  build(): void {
    if (this.built) return;
    this.built = true;
    const action = new actions.SnsAction(this.props.topic);
    const notify = (alarm: cloudwatch.Alarm) => {
      alarm.addAlarmAction(action);
      return alarm;
    };
    const { thresholds } = this.props;
    const stack = Stack.of(this);
    const nodes = stack.node.findAll();

    // Every DLQ: keep the alarm its construct made, add one where none watches its depth.
    const watched = new Set(
      nodes
        .filter((c): c is cloudwatch.Alarm => c instanceof cloudwatch.Alarm)
        .map((a) => a.node.defaultChild as cloudwatch.CfnAlarm)
        .filter((a) => a.metricName === 'ApproximateNumberOfMessagesVisible')
        .flatMap((a) => (stack.resolve(a.dimensions) as { name: string; value: unknown }[] | undefined) ?? [])
        .filter((d) => d.name === 'QueueName')
        .map((d) => JSON.stringify(d.value)),
    );
    for (const queue of deadLetterQueuesOf(this)) {
      if (watched.has(JSON.stringify(stack.resolve(queue.queueName)))) continue;
      const queueId = stack.getLogicalId(queue.node.defaultChild as sqs.CfnQueue);
      this.deadLetterAlarms.push(
        notify(
          deadLetterAlarm(
            this,
            `DeadLetter${queueId}`,
            queue,
            `KASS ${this.props.stage}: messages in the dead-letter queue ${queue.node.path}; inspect them, fix the cause, redrive.`,
          ),
        ),
      );
    }

    // Every tool: failed calls as a share of its calls (the kit's per-tool metrics).
    for (const tools of nodes.filter((c): c is Tools => c instanceof Tools)) {
      for (const tool of tools.tools) {
        const service = serviceNameOf(tools.functionOf(tool.name));
        if (!service) continue;
        const metric = (metricName: string) => serviceSum(metricName, service);
        this.toolErrorRateAlarms.push(
          notify(
            this.rateAlarm(`ToolErrorRate-${tool.name}`, {
              description: `KASS ${this.props.stage}: tool '${tool.name}' failed (5xx) on more than ${thresholds.toolErrorRatePercent} % of its calls in 5 minutes; see the ${service} logs and the ToolLogs table.`,
              failures: metric(TOOL_METRICS.failed),
              total: metric(TOOL_METRICS.invoked),
              thresholdPercent: thresholds.toolErrorRatePercent,
            }),
          ),
        );
      }
    }

    // Every REST API: 5XX answers as a share of its requests.
    for (const api of nodes.filter((c): c is apigw.RestApi => c instanceof apigw.RestApi)) {
      this.apiServerErrorRateAlarms.push(
        notify(
          this.rateAlarm(`ApiServerErrorRate-${api.node.scope?.node.id ?? api.node.id}`, {
            description: `KASS ${this.props.stage}: ${api.node.path} answered 5XX to more than ${thresholds.api5xxRatePercent} % of its requests in 5 minutes; see its functions' logs and X-Ray.`,
            failures: api.metricServerError({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM }),
            total: api.metricCount({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM }),
            thresholdPercent: thresholds.api5xxRatePercent,
          }),
        ),
      );
    }

    // Knowledge-base ingestion: failed or rejected jobs, documents that failed to index.
    for (const ingestion of nodes.filter((c): c is Ingestion => c instanceof Ingestion)) {
      const service = serviceNameOf(ingestion.function);
      if (!service) continue;
      const metric = (metricName: string) => serviceSum(metricName, service);
      this.ingestionFailureAlarms.push(
        notify(
          new cloudwatch.Alarm(this, `IngestionFailures-${ingestion.node.id}`, {
            alarmDescription: `KASS ${this.props.stage}: a knowledge-base ingestion job failed or was rejected, or documents failed to index (kass sync --status lists them by name).`,
            metric: new cloudwatch.MathExpression({
              expression: 'FILL(jobFailed, 0) + FILL(jobRejected, 0) + FILL(documentsFailed, 0)',
              usingMetrics: {
                jobFailed: metric(INGESTION_METRICS.jobFailed),
                jobRejected: metric(INGESTION_METRICS.jobRejected),
                documentsFailed: metric(INGESTION_METRICS.documentsFailed),
              },
              period: FIVE_MINUTES,
              label: 'Ingestion failures',
            }),
            threshold: 1,
            comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            evaluationPeriods: 1,
            treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
          }),
        ),
      );
    }

    // Chat turns of every channel: p90 of question to complete answer.
    if (turnFunctionsOf(this).length > 0) {
      this.chatLatencyAlarm = notify(
        new cloudwatch.Alarm(this, 'ChatLatencyP90', {
          alarmDescription: `KASS ${this.props.stage}: p90 chat turn latency above ${thresholds.chatLatencyP90Seconds} s over 15 minutes (all channels); see the dashboard's agent row and X-Ray.`,
          metric: new cloudwatch.Metric({
            namespace: METRICS_NAMESPACE,
            metricName: TURN_METRICS.latency,
            dimensionsMap: { [SERVICE_DIMENSION]: TURN_METRICS.service },
            statistic: 'p90',
            period: Duration.minutes(15),
          }),
          threshold: thresholds.chatLatencyP90Seconds * 1000,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
      );
    }

    // One signal for the whole stage: any alarm of the stack in ALARM.
    const all = stack.node.findAll().filter((c): c is cloudwatch.Alarm => c instanceof cloudwatch.Alarm);
    if (all.length === 0) return;
    this.unhealthy = new cloudwatch.CompositeAlarm(this, 'Unhealthy', {
      compositeAlarmName: `kass-${this.props.stage}-unhealthy`,
      alarmDescription: `KASS ${this.props.stage} unhealthy: at least one of its ${all.length} alarms is in ALARM (the dashboard's alarm widget shows which).`,
      alarmRule: cloudwatch.AlarmRule.anyOf(
        ...all.map((alarm) => cloudwatch.AlarmRule.fromAlarm(alarm, cloudwatch.AlarmState.ALARM)),
      ),
    });
    this.unhealthy.addAlarmAction(action);
    this.unhealthy.addOkAction(action);
  }

  /** `failures / total` in percent, judged only when `total` reached the minimum. */
  private rateAlarm(
    id: string,
    p: {
      description: string;
      failures: cloudwatch.IMetric;
      total: cloudwatch.IMetric;
      thresholdPercent: number;
    },
  ): cloudwatch.Alarm {
    const minimum = this.props.thresholds.minimumRequests;
    return new cloudwatch.Alarm(this, id, {
      alarmDescription: p.description,
      metric: new cloudwatch.MathExpression({
        expression: `IF(total >= ${minimum}, 100 * FILL(failures, 0) / total, 0)`,
        usingMetrics: { failures: p.failures, total: p.total },
        period: FIVE_MINUTES,
        label: 'Failure rate (%)',
      }),
      threshold: p.thresholdPercent,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }
}
