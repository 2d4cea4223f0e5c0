import type {
  GuardrailAssessment,
  InvocationInput,
  Metadata,
  Observation,
  Parameter,
  TracePart,
} from '@aws-sdk/client-bedrock-agent-runtime';
import type { TracePhase, TraceStep, Usage } from './events';
import { toReference } from './references';

const byName = (params: readonly Parameter[] | undefined): Record<string, string> =>
  Object.fromEntries((params ?? []).flatMap((p) => (p.name ? [[p.name, p.value ?? '']] : [])));

/** One line per guardrail finding: `topic Investments: BLOCKED`, `pii EMAIL: ANONYMIZED`, … */
export function summarizeAssessments(assessments: readonly GuardrailAssessment[] | undefined): string[] {
  const lines: string[] = [];
  for (const a of assessments ?? []) {
    for (const t of a.topicPolicy?.topics ?? []) lines.push(`topic ${t.name ?? '?'}: ${t.action ?? '?'}`);
    for (const f of a.contentPolicy?.filters ?? [])
      lines.push(`content ${f.type ?? '?'}${f.confidence ? ` (${f.confidence})` : ''}: ${f.action ?? '?'}`);
    for (const w of a.wordPolicy?.customWords ?? [])
      lines.push(`word "${w.match ?? ''}": ${w.action ?? '?'}`);
    for (const w of a.wordPolicy?.managedWordLists ?? [])
      lines.push(`word list ${w.type ?? '?'}: ${w.action ?? '?'}`);
    for (const p of a.sensitiveInformationPolicy?.piiEntities ?? [])
      lines.push(`pii ${p.type ?? '?'}: ${p.action ?? '?'}`);
    for (const r of a.sensitiveInformationPolicy?.regexes ?? [])
      lines.push(`regex ${r.name ?? '?'}: ${r.action ?? '?'}`);
  }
  return lines;
}

interface Context {
  readonly phase: TracePhase;
  readonly traceId?: string;
  readonly collaboratorName?: string;
}

const base = (ctx: Context) => ({
  phase: ctx.phase,
  ...(ctx.traceId ? { traceId: ctx.traceId } : {}),
  ...(ctx.collaboratorName ? { collaboratorName: ctx.collaboratorName } : {}),
});

/**
 * Turns raw trace events into a small union of steps, and adds up token usage. Stateful per turn: a tool's
 * output and a knowledge-base result are matched to their input by `traceId`.
 */
export class TraceNormalizer {
  private readonly calls = new Map<string, string>();
  private readonly queries = new Map<string, { query: string; knowledgeBaseId?: string }>();
  private inputTokens = 0;
  private outputTokens = 0;
  private modelCalls = 0;

  get usage(): Usage {
    return { inputTokens: this.inputTokens, outputTokens: this.outputTokens, modelCalls: this.modelCalls };
  }

  /** The steps of one trace event (often none: model inputs and raw outputs are not steps). */
  add(part: TracePart): TraceStep[] {
    const trace = part.trace;
    if (!trace) return [];
    const collaboratorName = part.collaboratorName;
    const ctx = (phase: TracePhase, traceId: string | undefined): Context => ({
      phase,
      ...(traceId ? { traceId } : {}),
      ...(collaboratorName ? { collaboratorName } : {}),
    });
    if (trace.orchestrationTrace) {
      const o = trace.orchestrationTrace;
      if (o.rationale) {
        return [
          {
            kind: 'rationale',
            text: o.rationale.text ?? '',
            ...base(ctx('orchestration', o.rationale.traceId)),
          },
        ];
      }
      if (o.invocationInput)
        return this.invocation(o.invocationInput, ctx('orchestration', o.invocationInput.traceId));
      if (o.modelInvocationOutput)
        return this.usageOf(
          o.modelInvocationOutput.metadata,
          ctx('orchestration', o.modelInvocationOutput.traceId),
        );
      if (o.observation) return this.observation(o.observation, ctx('orchestration', o.observation.traceId));
      return [];
    }
    if (trace.preProcessingTrace?.modelInvocationOutput) {
      const out = trace.preProcessingTrace.modelInvocationOutput;
      return this.usageOf(out.metadata, ctx('preProcessing', out.traceId));
    }
    if (trace.postProcessingTrace?.modelInvocationOutput) {
      const out = trace.postProcessingTrace.modelInvocationOutput;
      return this.usageOf(out.metadata, ctx('postProcessing', out.traceId));
    }
    if (trace.routingClassifierTrace) {
      const r = trace.routingClassifierTrace;
      if (r.invocationInput)
        return this.invocation(r.invocationInput, ctx('routing', r.invocationInput.traceId));
      if (r.modelInvocationOutput)
        return this.usageOf(
          r.modelInvocationOutput.metadata,
          ctx('routing', r.modelInvocationOutput.traceId),
        );
      if (r.observation) return this.observation(r.observation, ctx('routing', r.observation.traceId));
      return [];
    }
    if (trace.guardrailTrace) {
      const g = trace.guardrailTrace;
      return [
        {
          kind: 'guardrail',
          action: g.action ?? 'NONE',
          assessments: [
            ...summarizeAssessments(g.inputAssessments),
            ...summarizeAssessments(g.outputAssessments),
          ],
          ...base(ctx('guardrail', g.traceId)),
        },
      ];
    }
    if (trace.failureTrace) {
      const f = trace.failureTrace;
      return [
        {
          kind: 'failure',
          reason: f.failureReason ?? 'unknown failure',
          ...(f.failureCode === undefined ? {} : { code: f.failureCode }),
          ...base(ctx('failure', f.traceId)),
        },
      ];
    }
    return [];
  }

  private invocation(input: InvocationInput, ctx: Context): TraceStep[] {
    const call = input.actionGroupInvocationInput;
    if (call) {
      const actionGroup = call.actionGroupName ?? '';
      if (ctx.traceId) this.calls.set(ctx.traceId, actionGroup);
      const content = call.requestBody?.content;
      const bodyProps = content ? Object.values(content)[0] : undefined;
      return [
        {
          kind: 'toolCall',
          actionGroup,
          ...(call.apiPath ? { apiPath: call.apiPath } : {}),
          ...(call.verb ? { httpMethod: call.verb } : {}),
          ...(call.function ? { function: call.function } : {}),
          parameters: byName(call.parameters),
          ...(bodyProps ? { body: byName(bodyProps) } : {}),
          ...(call.executionType ? { execution: call.executionType } : {}),
          ...base(ctx),
        },
      ];
    }
    const kb = input.knowledgeBaseLookupInput;
    if (kb && ctx.traceId) {
      this.queries.set(ctx.traceId, {
        query: kb.text ?? '',
        ...(kb.knowledgeBaseId ? { knowledgeBaseId: kb.knowledgeBaseId } : {}),
      });
    }
    return [];
  }

  private observation(obs: Observation, ctx: Context): TraceStep[] {
    if (obs.actionGroupInvocationOutput) {
      const actionGroup = ctx.traceId ? this.calls.get(ctx.traceId) : undefined;
      return [
        {
          kind: 'toolOutput',
          ...(actionGroup === undefined ? {} : { actionGroup }),
          output: obs.actionGroupInvocationOutput.text ?? '',
          ...base(ctx),
        },
      ];
    }
    if (obs.knowledgeBaseLookupOutput) {
      const lookup = ctx.traceId ? this.queries.get(ctx.traceId) : undefined;
      return [
        {
          kind: 'knowledgeBase',
          query: lookup?.query ?? '',
          ...(lookup?.knowledgeBaseId ? { knowledgeBaseId: lookup.knowledgeBaseId } : {}),
          references: (obs.knowledgeBaseLookupOutput.retrievedReferences ?? []).map(toReference),
          ...base(ctx),
        },
      ];
    }
    return [];
  }

  private usageOf(metadata: Metadata | undefined, ctx: Context): TraceStep[] {
    const usage = metadata?.usage;
    if (!usage) return [];
    const inputTokens = usage.inputTokens ?? 0;
    const outputTokens = usage.outputTokens ?? 0;
    this.inputTokens += inputTokens;
    this.outputTokens += outputTokens;
    this.modelCalls += 1;
    return [{ kind: 'usage', inputTokens, outputTokens, ...base(ctx) }];
  }
}
