import { Aws, Duration, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import {
  INGESTION_METRICS,
  METRICS_NAMESPACE,
  SERVICE_DIMENSION,
  TOOL_METRICS,
  TURN_METRICS,
} from '../../contracts/metric-names';
import { deadLetterQueuesOf } from './dead-letter-queues';
import { type HealthAlarms, serviceNameOf } from './health-alarms';
import { Ingestion } from './ingestion';
import { KassFunction } from './kass-function';
import { Tools } from './tools';
import { whenComplete } from './when-complete';

export interface KassDashboardProps {
  readonly stage: string;
  /** Its alarms (and the composite) are shown in the alarm widget. */
  readonly healthAlarms: HealthAlarms;
}

const PERIOD = Duration.minutes(5);
/** The channels a chat turn comes from (`TurnRequest.channel`). */
const CHANNELS = ['rest', 'websocket', 'discord'] as const;

const kass = (metricName: string, dimensions: Record<string, string>, statistic: string, label?: string) =>
  new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: dimensions,
    statistic,
    period: PERIOD,
    ...(label ? { label } : {}),
  });

const header = (markdown: string) => new cloudwatch.TextWidget({ markdown, width: 24, height: 1 });

/**
 * The stage's CloudWatch dashboard, read from the finished stack so a new tool, function, API or queue gets its
 * widgets without an edit: alarms; agent turns (count per channel, latency p50/p90/p99, time to first token,
 * tokens, guardrail interventions, throttles); per tool, calls, errors and p90 latency per operation;
 * knowledge-base ingestion jobs and documents; per REST API 4XX/5XX and latency; per WebSocket stage
 * connections and messages; per dead-letter queue depth and oldest message age; per Lambda errors, throttles
 * and p99 duration.
 */
export class KassDashboard extends Construct {
  public readonly dashboard: cloudwatch.Dashboard;
  /** The console URL (region resolved at deploy). */
  public readonly url: string;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: KassDashboardProps,
  ) {
    super(scope, id);
    const name = `kass-${props.stage}`;
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: name,
      defaultInterval: Duration.hours(3),
      periodOverride: cloudwatch.PeriodOverride.AUTO,
    });
    // The stack's tags reach the dashboard (CloudFormation's schema has Tags on it); cfn-lint 1.51's bundled
    // schema predates that property, so this one check is off for this one resource.
    (this.dashboard.node.defaultChild as cloudwatch.CfnDashboard).cfnOptions.metadata = {
      'cfn-lint': { config: { ignore_checks: ['E3002'] } },
    };
    this.url = `https://console.aws.amazon.com/cloudwatch/home?region=${Aws.REGION}#dashboards/dashboard/${name}`;
    whenComplete(this, () => this.build());
  }

  private build(): void {
    this.props.healthAlarms.build();
    const stack = Stack.of(this);
    const nodes = stack.node.findAll();
    const d = this.dashboard;

    const alarms = nodes.filter(
      (c): c is cloudwatch.Alarm | cloudwatch.CompositeAlarm =>
        c instanceof cloudwatch.Alarm || c instanceof cloudwatch.CompositeAlarm,
    );
    d.addWidgets(header(`# KASS ${this.props.stage}`));
    if (alarms.length > 0) {
      d.addWidgets(
        new cloudwatch.AlarmStatusWidget({
          title: 'Alarms',
          alarms,
          width: 24,
          height: Math.min(2 + Math.ceil(alarms.length / 4), 8),
          sortBy: cloudwatch.AlarmStatusWidgetSortBy.STATE_UPDATED_TIMESTAMP,
        }),
      );
    }

    // Agent turns (every channel), from the turn metrics of the chat functions.
    const total = { [SERVICE_DIMENSION]: TURN_METRICS.service };
    const channel = (c: string) => ({ ...total, [TURN_METRICS.channelDimension]: c });
    d.addWidgets(header('## Agent turns'));
    d.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Turns per channel; throttled, timed out, failed',
        width: 8,
        left: CHANNELS.map((c) => kass(TURN_METRICS.turns, channel(c), 'Sum', c)),
        right: [
          kass(TURN_METRICS.throttled, total, 'Sum', 'throttled'),
          kass(TURN_METRICS.timedOut, total, 'Sum', 'timed out'),
          kass(TURN_METRICS.failed, total, 'Sum', 'failed'),
        ],
      }),
      new cloudwatch.GraphWidget({
        title: 'Turn latency and time to first token (ms)',
        width: 8,
        left: ['p50', 'p90', 'p99'].map((p) => kass(TURN_METRICS.latency, total, p, `latency ${p}`)),
        right: ['p50', 'p90'].map((p) => kass(TURN_METRICS.timeToFirstToken, total, p, `first token ${p}`)),
      }),
      new cloudwatch.GraphWidget({
        title: 'Tokens in/out; guardrail interventions',
        width: 8,
        left: [
          kass(TURN_METRICS.inputTokens, total, 'Sum', 'input tokens'),
          kass(TURN_METRICS.outputTokens, total, 'Sum', 'output tokens'),
        ],
        right: [kass(TURN_METRICS.guardrailInterventions, total, 'Sum', 'guardrail interventions')],
      }),
    );

    // Tools: the kit's per-operation metrics.
    const toolWidgets: cloudwatch.IWidget[] = [];
    for (const tools of nodes.filter((c): c is Tools => c instanceof Tools)) {
      for (const tool of tools.tools) {
        const service = serviceNameOf(tools.functionOf(tool.name));
        if (!service) continue;
        const op = (o: string) => ({ [SERVICE_DIMENSION]: service, [TOOL_METRICS.operationDimension]: o });
        const ops = tool.operations.map((o) => o.operationId);
        toolWidgets.push(
          new cloudwatch.GraphWidget({
            title: `Tool ${tool.name}: calls and errors per operation`,
            width: 12,
            left: ops.map((o) => kass(TOOL_METRICS.invoked, op(o), 'Sum', `${o} calls`)),
            right: ops.map((o) => kass(TOOL_METRICS.failed, op(o), 'Sum', `${o} errors`)),
          }),
          new cloudwatch.GraphWidget({
            title: `Tool ${tool.name}: p90 latency per operation (ms)`,
            width: 12,
            left: ops.map((o) => kass(TOOL_METRICS.latency, op(o), 'p90', o)),
          }),
        );
      }
    }
    if (toolWidgets.length > 0) d.addWidgets(header('## Tools'), ...toolWidgets);

    // Knowledge-base ingestion.
    for (const ingestion of nodes.filter((c): c is Ingestion => c instanceof Ingestion)) {
      const service = serviceNameOf(ingestion.function);
      if (!service) continue;
      const dims = { [SERVICE_DIMENSION]: service };
      const m = INGESTION_METRICS;
      d.addWidgets(
        header('## Knowledge base ingestion'),
        new cloudwatch.GraphWidget({
          title: 'Ingestion jobs',
          width: 12,
          left: [
            kass(m.jobStarted, dims, 'Sum', 'started'),
            kass(m.jobConflict, dims, 'Sum', 'waited for a running job'),
            kass(m.jobThrottled, dims, 'Sum', 'throttled'),
          ],
          right: [kass(m.jobFailed, dims, 'Sum', 'failed'), kass(m.jobRejected, dims, 'Sum', 'rejected')],
        }),
        new cloudwatch.GraphWidget({
          title: 'Documents (previous job)',
          width: 12,
          left: [
            kass(m.documentsIndexed, dims, 'Sum', 'indexed'),
            kass(m.documentsDeleted, dims, 'Sum', 'deleted'),
            kass(m.documentsSkipped, dims, 'Sum', 'skipped'),
          ],
          right: [kass(m.documentsFailed, dims, 'Sum', 'failed')],
        }),
      );
    }

    // APIs.
    const apiWidgets: cloudwatch.IWidget[] = [];
    for (const api of nodes.filter((c): c is apigw.RestApi => c instanceof apigw.RestApi)) {
      const title = `REST ${api.node.scope?.node.id ?? api.node.id}`;
      apiWidgets.push(
        new cloudwatch.GraphWidget({
          title: `${title}: requests, 4XX, 5XX`,
          width: 12,
          left: [api.metricCount({ period: PERIOD, statistic: 'Sum', label: 'requests' })],
          right: [
            api.metricClientError({ period: PERIOD, statistic: 'Sum', label: '4XX' }),
            api.metricServerError({ period: PERIOD, statistic: 'Sum', label: '5XX' }),
          ],
        }),
        new cloudwatch.GraphWidget({
          title: `${title}: latency (ms)`,
          width: 12,
          left: ['p50', 'p90', 'p99'].map((p) =>
            api.metricLatency({ period: PERIOD, statistic: p, label: p }),
          ),
          right: [
            api.metricIntegrationLatency({ period: PERIOD, statistic: 'p90', label: 'integration p90' }),
          ],
        }),
      );
    }
    for (const stage of nodes.filter(
      (c): c is apigwv2.WebSocketStage => c instanceof apigwv2.WebSocketStage,
    )) {
      const metric = (metricName: string, label: string) =>
        new cloudwatch.Metric({
          namespace: 'AWS/ApiGateway',
          metricName,
          dimensionsMap: { ApiId: stage.api.apiId, Stage: stage.stageName },
          statistic: 'Sum',
          period: PERIOD,
          label,
        });
      apiWidgets.push(
        new cloudwatch.GraphWidget({
          title: `WebSocket ${stage.api.node.scope?.node.id ?? stage.node.id}: connections and messages`,
          width: 12,
          left: [metric('ConnectCount', 'connections'), metric('MessageCount', 'messages')],
          right: [
            metric('ClientError', 'client errors'),
            metric('IntegrationError', 'integration errors'),
            metric('ExecutionError', 'execution errors'),
          ],
        }),
      );
    }
    if (apiWidgets.length > 0) d.addWidgets(header('## APIs'), ...apiWidgets);

    // Dead-letter queues.
    const queueWidgets = deadLetterQueuesOf(this).map(
      (queue) =>
        new cloudwatch.GraphWidget({
          title: `DLQ ${queue.node.path.split('/').slice(1).join('/')}`,
          width: 8,
          left: [
            queue.metricApproximateNumberOfMessagesVisible({
              period: PERIOD,
              statistic: 'Maximum',
              label: 'messages',
            }),
          ],
          right: [
            queue.metricApproximateAgeOfOldestMessage({
              period: PERIOD,
              statistic: 'Maximum',
              label: 'oldest message (s)',
            }),
          ],
        }),
    );
    if (queueWidgets.length > 0) d.addWidgets(header('## Dead-letter queues'), ...queueWidgets);

    // Every Lambda of the stack (house functions by service name, others by path).
    const functions = nodes.filter((c): c is lambda.Function => c instanceof lambda.Function);
    const houseNames = new Map(
      nodes
        .filter((c): c is KassFunction => c instanceof KassFunction)
        .map((f) => [f.function, serviceNameOf(f) ?? f.node.path] as const),
    );
    d.addWidgets(
      header('## Lambda functions: errors and throttles (left), p99 duration in ms (right)'),
      ...functions.map(
        (fn) =>
          new cloudwatch.GraphWidget({
            title: houseNames.get(fn) ?? fn.node.path.split('/').slice(1).join('/'),
            width: 6,
            height: 5,
            left: [
              fn.metricErrors({ period: PERIOD, statistic: 'Sum', label: 'errors' }),
              fn.metricThrottles({ period: PERIOD, statistic: 'Sum', label: 'throttles' }),
            ],
            right: [fn.metricDuration({ period: PERIOD, statistic: 'p99', label: 'p99 duration' })],
          }),
      ),
    );
  }
}
