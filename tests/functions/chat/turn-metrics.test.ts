import { type AgentEvent, AgentThrottledError, type ChatEngine, type TurnInput } from '../../../client';
import { TURN_METRICS } from '../../../contracts/metric-names';
import type { AgentStateStore } from '../../../functions/shared/agent-state-store';
import type { ConversationWriter } from '../../../functions/shared/conversation-store';
import { TurnThrottled, TurnTimedOut } from '../../../functions/shared/errors';
import { runTurn, type TurnDeps } from '../../../functions/shared/turn';
import { turnMetrics } from '../../../functions/shared/turn-metrics';

type Emf = {
  _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] };
} & Record<string, unknown>;

const CALLER = { userId: 'cognito:7d4e2b90-1111-4c3a-9e0b-2f6a8c1d5e77', roles: [] };

/** Every EMF record the turns publish (metrics are disabled in tests, so the records are read before publish). */
function capture(): Emf[] {
  const records: Emf[] = [];
  jest.spyOn(turnMetrics, 'publishStoredMetrics').mockImplementation(() => {
    records.push(turnMetrics.serializeMetrics() as unknown as Emf);
    turnMetrics.clearMetrics();
    turnMetrics.clearDimensions();
    return turnMetrics;
  });
  return records;
}

const stores = (): Pick<TurnDeps, 'agentState' | 'conversations'> => ({
  agentState: {
    begin: async () => undefined,
    beginAnswer: async () => {
      throw new Error('not used');
    },
    finish: async () => undefined,
  } satisfies AgentStateStore,
  conversations: { writeTurn: async () => undefined } satisfies ConversationWriter,
});

/** An engine that plays `script` (events, or a thrown error), advancing the clock 100 ms per event. */
function engine(clock: { t: number }, script: (AgentEvent | Error)[]): ChatEngine {
  return {
    async *stream(input: TurnInput): AsyncGenerator<AgentEvent, void, undefined> {
      for (const step of script) {
        clock.t += 100;
        if (step instanceof Error) throw step;
        yield step.type === 'done' ? ({ ...step, sessionId: input.sessionId ?? '' } as AgentEvent) : step;
      }
    },
    ask: async () => {
      throw new Error('not used');
    },
  };
}

const deps = (clock: { t: number }, script: (AgentEvent | Error)[], deadlineMs = 60_000): TurnDeps => ({
  ...stores(),
  engine: engine(clock, script),
  deadlineMs,
  leaseMs: 60_000,
  memory: false,
  confirmations: 'deny',
  now: () => clock.t,
});

const done = (inputTokens: number, outputTokens: number) =>
  ({ type: 'done', usage: { inputTokens, outputTokens, modelCalls: 1 }, files: [] }) as unknown as AgentEvent;

describe('Turn metrics (EMF, service kass-turns)', () => {
  afterEach(() => jest.restoreAllMocks());

  it('records an answered turn per channel and in total: latency, first token, tokens, guardrail interventions', async () => {
    // Prepare
    const records = capture();
    const clock = { t: 1_000_000 };
    const script: (AgentEvent | Error)[] = [
      {
        type: 'trace',
        step: { kind: 'guardrail', phase: 'guardrail', action: 'INTERVENED', assessments: [] },
      } as AgentEvent,
      { type: 'text', text: 'The runbook ' },
      { type: 'text', text: 'says restart.' },
      done(1200, 80),
    ];
    // Act
    await runTurn(deps(clock, script), {
      caller: CALLER,
      channel: 'websocket',
      message: 'How do I restart?',
    });
    // Assess
    expect(records).toHaveLength(1);
    const [record] = records as [Emf];
    const [directive] = record._aws.CloudWatchMetrics as [Emf['_aws']['CloudWatchMetrics'][number]];
    expect(directive.Namespace).toBe('KASS');
    expect(directive.Dimensions).toEqual([['service', 'channel'], ['service']]);
    expect(record).toMatchObject({
      service: TURN_METRICS.service,
      channel: 'websocket',
      [TURN_METRICS.turns]: 1,
      [TURN_METRICS.timeToFirstToken]: 200,
      [TURN_METRICS.latency]: 400,
      [TURN_METRICS.inputTokens]: 1200,
      [TURN_METRICS.outputTokens]: 80,
      [TURN_METRICS.guardrailInterventions]: 1,
      [TURN_METRICS.throttled]: 0,
      [TURN_METRICS.timedOut]: 0,
      [TURN_METRICS.failed]: 0,
    });
  });

  it('records a throttled turn without a latency', async () => {
    // Prepare
    const records = capture();
    const clock = { t: 0 };
    const throttled = new AgentThrottledError('Rate exceeded', { exceptionName: 'throttlingException' });
    // Act
    const turn = runTurn(deps(clock, [throttled]), { caller: CALLER, channel: 'rest', message: 'Hi' });
    // Assess
    await expect(turn).rejects.toBeInstanceOf(TurnThrottled);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      channel: 'rest',
      [TURN_METRICS.turns]: 1,
      [TURN_METRICS.throttled]: 1,
    });
    expect(records[0]).not.toHaveProperty(TURN_METRICS.latency);
    expect(records[0]).not.toHaveProperty(TURN_METRICS.timeToFirstToken);
  });

  it('records a failed turn once, and a turn that ran past its deadline as timed out', async () => {
    // Prepare
    const records = capture();
    const clock = { t: 0 };
    const failing = deps(clock, [{ type: 'text', text: 'Partial' }, new Error('socket hang up')]);
    const slow: ChatEngine = {
      // Like the real engine: the turn's signal aborts the stream.
      async *stream(input: TurnInput): AsyncGenerator<AgentEvent, void, undefined> {
        await new Promise((r) => setTimeout(r, 50));
        input.signal?.throwIfAborted();
        yield { type: 'text', text: 'late' };
      },
      ask: async () => {
        throw new Error('not used');
      },
    };
    // Act
    await expect(runTurn(failing, { caller: CALLER, channel: 'discord', message: 'Hi' })).rejects.toThrow();
    await expect(
      runTurn({ ...deps(clock, [], 1), engine: slow }, { caller: CALLER, channel: 'rest', message: 'Hi' }),
    ).rejects.toBeInstanceOf(TurnTimedOut);
    // Assess
    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({
      channel: 'discord',
      [TURN_METRICS.failed]: 1,
      [TURN_METRICS.timeToFirstToken]: 100,
    });
    expect(records[1]).toMatchObject({
      channel: 'rest',
      [TURN_METRICS.timedOut]: 1,
      [TURN_METRICS.failed]: 0,
    });
  });
});
