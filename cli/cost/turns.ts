import { z } from 'zod';
import SAMPLES from './turn-samples.json';

/**
 * What one agent turn costs in model work: the token usage of its model calls, how often it searches the
 * knowledge base and calls tools. The defaults come from `turn-samples.json`; users replace them with their own
 * turns recorded by `kass ask --json` (its `usage` and `trace` fields carry the same numbers).
 */

const tokens = z.number().int().min(0);

const ModelCallSchema = z.strictObject({
  phase: z.string().min(1),
  inputTokens: tokens,
  outputTokens: tokens,
});

const SampleTurnSchema = z.strictObject({
  name: z.string().min(1),
  question: z.string().min(1),
  modelCalls: z.array(ModelCallSchema).min(1),
  knowledgeBaseLookups: z.number().int().min(0),
  /** Action groups called, one entry per call. */
  toolCalls: z.array(z.string().min(1)),
  /** Tokens the tool Lambdas spent on their own model (Converse) calls; the agent trace does not show them. */
  toolModelUsage: z
    .array(z.strictObject({ tool: z.string().min(1), inputTokens: tokens, outputTokens: tokens }))
    .optional(),
});

export const TurnSamplesSchema = z.strictObject({
  source: z.strictObject({
    kind: z.enum(['estimate', 'recorded']),
    date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    how: z.string().min(1),
    replace: z.string().min(1),
  }),
  turns: z.array(SampleTurnSchema).min(1),
});

export type SampleTurn = z.infer<typeof SampleTurnSchema>;
export type TurnSamples = z.infer<typeof TurnSamplesSchema>;

/** The document `kass ask --json` prints, reduced to what costs money. */
const AskJsonSchema = z.object({
  usage: z.object({ inputTokens: tokens, outputTokens: tokens, modelCalls: tokens }),
  trace: z.object({
    toolCalls: z.array(z.object({ actionGroup: z.string() })),
    knowledgeBaseLookups: z.array(z.unknown()),
  }),
});

/** The average turn the estimate prices. */
export interface TurnProfile {
  /** Where the numbers come from, for the report. */
  readonly source: string;
  readonly turns: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly modelCalls: number;
  readonly knowledgeBaseLookups: number;
  /** Calls per turn by action group (`report: 0.2`). */
  readonly toolCalls: Readonly<Record<string, number>>;
  /** The tools' own model tokens per turn, by tool. */
  readonly toolModelTokens: Readonly<Record<string, { inputTokens: number; outputTokens: number }>>;
}

const mean = (values: readonly number[]): number =>
  values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;

/** Per-turn averages of a set of turns. */
export function profileOf(turns: readonly SampleTurn[], source: string): TurnProfile {
  const toolCalls: Record<string, number> = {};
  const toolModelTokens: Record<string, { inputTokens: number; outputTokens: number }> = {};
  for (const turn of turns) {
    for (const tool of turn.toolCalls) toolCalls[tool] = (toolCalls[tool] ?? 0) + 1 / turns.length;
    for (const use of turn.toolModelUsage ?? []) {
      const sum = toolModelTokens[use.tool] ?? { inputTokens: 0, outputTokens: 0 };
      toolModelTokens[use.tool] = {
        inputTokens: sum.inputTokens + use.inputTokens / turns.length,
        outputTokens: sum.outputTokens + use.outputTokens / turns.length,
      };
    }
  }
  return {
    source,
    turns: turns.length,
    inputTokens: mean(turns.map((t) => t.modelCalls.reduce((s, c) => s + c.inputTokens, 0))),
    outputTokens: mean(turns.map((t) => t.modelCalls.reduce((s, c) => s + c.outputTokens, 0))),
    modelCalls: mean(turns.map((t) => t.modelCalls.length)),
    knowledgeBaseLookups: mean(turns.map((t) => t.knowledgeBaseLookups)),
    toolCalls,
    toolModelTokens,
  };
}

/** The shipped samples, validated (a broken file fails loudly, not with NaN dollars). */
export function shippedSamples(): TurnSamples {
  return TurnSamplesSchema.parse(SAMPLES);
}

/** The default profile: the shipped sample turns. */
export function defaultProfile(): TurnProfile {
  const samples = shippedSamples();
  return profileOf(
    samples.turns,
    `${samples.turns.length} sample turns (${samples.source.kind}, ${samples.source.date}; cli/cost/turn-samples.json)`,
  );
}

/** Splits text holding JSON values one after another (`kass ask --json >> file` appends pretty documents). */
export function splitJsonDocuments(text: string): unknown[] {
  const values: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') {
      if (depth === 0) start = i;
      depth++;
    } else if (ch === '}' || ch === ']') {
      depth--;
      if (depth < 0) throw new Error(`unbalanced ${ch} at character ${i + 1}`);
      if (depth === 0) values.push(JSON.parse(text.slice(start, i + 1)));
    } else if (depth === 0 && !/\s/.test(ch ?? '')) {
      throw new Error(`unexpected "${ch}" at character ${i + 1} (expected a JSON object)`);
    }
  }
  if (depth !== 0) throw new Error('the last JSON document is incomplete');
  return values;
}

/**
 * Turns recorded with `kass ask --json` (one or more documents, appended or as a JSON array), or a samples file
 * in the format of `turn-samples.json`. Throws an Error naming the first bad document.
 */
export function parseRecordedTurns(text: string, name: string): TurnProfile {
  let documents: unknown[];
  try {
    documents = splitJsonDocuments(text);
  } catch (error) {
    throw new Error(`${name}: not JSON (${(error as Error).message})`);
  }
  const single = documents.length === 1 ? documents[0] : undefined;
  if (single && typeof single === 'object' && !Array.isArray(single) && 'turns' in single) {
    const samples = TurnSamplesSchema.safeParse(single);
    if (!samples.success) throw new Error(`${name}: ${samples.error.issues[0]?.message ?? 'invalid'}`);
    return profileOf(samples.data.turns, `${samples.data.turns.length} turns from ${name}`);
  }
  const flat = documents.flatMap((d) => (Array.isArray(d) ? d : [d]));
  if (flat.length === 0) throw new Error(`${name}: no turns (record some with kass ask --json)`);
  const turns = flat.map((doc, i): SampleTurn => {
    const parsed = AskJsonSchema.safeParse(doc);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(
        `${name}: document ${i + 1} is not \`kass ask --json\` output (${issue?.path.join('.') || 'root'}: ${issue?.message})`,
      );
    }
    const { usage, trace } = parsed.data;
    if (usage.inputTokens === 0) {
      throw new Error(
        `${name}: document ${i + 1} has no token usage (it was recorded with the trace off; kass ask --json keeps it on)`,
      );
    }
    // The recorded totals stand for the turn's calls; the split between calls does not change the price.
    return {
      name: `turn ${i + 1}`,
      question: '(recorded)',
      modelCalls: Array.from({ length: Math.max(usage.modelCalls, 1) }, (_, k) => ({
        phase: 'recorded',
        inputTokens: k === 0 ? usage.inputTokens : 0,
        outputTokens: k === 0 ? usage.outputTokens : 0,
      })),
      knowledgeBaseLookups: trace.knowledgeBaseLookups.length,
      toolCalls: trace.toolCalls.map((c) => c.actionGroup),
    };
  });
  return profileOf(turns, `${turns.length} turns recorded in ${name}`);
}
