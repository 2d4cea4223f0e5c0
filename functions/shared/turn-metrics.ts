import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Usage } from '../../client';
import { METRICS_NAMESPACE, TURN_METRICS as T } from '../../contracts/metric-names';

/**
 * The chat turns' own metrics (EMF): every channel's function publishes under one service name, `kass-turns`,
 * so the dashboard and the latency alarm read them without a list of functions.
 */
export const turnMetrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: T.service });

/** How a turn ended. */
export type TurnEnd = 'answered' | 'throttled' | 'timed-out' | 'failed' | 'cancelled';

/**
 * Measures one turn from the question: the first piece of the answer, guardrail interventions, and at the end
 * one record (per channel and in total) with the latency, tokens and outcome. Publishes at most once; telemetry
 * never changes the turn.
 */
export class TurnMeter {
  private firstTextAt?: number;
  private interventions = 0;
  private ended = false;

  constructor(
    private readonly channel: string,
    private readonly startedAt: number,
    private readonly now: () => number,
  ) {}

  /** A piece of the answer arrived (the first one is the time to first token). */
  text(): void {
    this.firstTextAt ??= this.now();
  }

  /** A guardrail assessment; `INTERVENED` ones are counted. */
  guardrail(action: string): void {
    if (action === 'INTERVENED') this.interventions += 1;
  }

  /** Publishes the turn's record; `answeredAt` is when the answer was complete (before it was stored). */
  end(outcome: TurnEnd, usage?: Usage, answeredAt: number = this.now()): void {
    if (this.ended) return;
    this.ended = true;
    try {
      const m = turnMetrics;
      m.addDimension(T.channelDimension, this.channel);
      // A second dimension set of the service alone: the totals the dashboard and the alarm read.
      m.addDimensions({});
      m.addMetric(T.turns, MetricUnit.Count, 1);
      if (outcome === 'answered')
        m.addMetric(T.latency, MetricUnit.Milliseconds, answeredAt - this.startedAt);
      if (this.firstTextAt !== undefined)
        m.addMetric(T.timeToFirstToken, MetricUnit.Milliseconds, this.firstTextAt - this.startedAt);
      if (usage) {
        m.addMetric(T.inputTokens, MetricUnit.Count, usage.inputTokens);
        m.addMetric(T.outputTokens, MetricUnit.Count, usage.outputTokens);
      }
      m.addMetric(T.guardrailInterventions, MetricUnit.Count, this.interventions);
      // 0 or 1 per turn, so Average is the rate.
      m.addMetric(T.throttled, MetricUnit.Count, outcome === 'throttled' ? 1 : 0);
      m.addMetric(T.timedOut, MetricUnit.Count, outcome === 'timed-out' ? 1 : 0);
      m.addMetric(T.failed, MetricUnit.Count, outcome === 'failed' ? 1 : 0);
      m.publishStoredMetrics();
    } catch {
      // Telemetry must never change the answer.
    }
  }
}
