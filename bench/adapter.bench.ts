import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BedrockAgentFunctionResolver } from '@aws-lambda-powertools/event-handler/bedrock-agent';
import type { Context } from 'aws-lambda';
import { parseAgentEvent } from '../action-groups/kit/event';
import { parseSchemaSource } from '../action-groups/kit/openapi/document';
import { readOperations } from '../action-groups/kit/openapi/operations';
import { toAgentResponse } from '../action-groups/kit/response';
import { defineTool, isApiResponse } from '../action-groups/kit/tool';
import { compileInputReader } from '../action-groups/kit/validate';

/**
 * Per-event overhead of the KASS adapter (parse + route + coerce + validate + respond) on the POST fixture,
 * beside Powertools' BedrockAgentFunctionResolver (function details) on the function-details fixture. Both
 * tools return a constant, so only the adapters are measured. Runs are interleaved in batches after a
 * warm-up, rotating which adapter goes first; medians are per event.
 *
 * "kass core" is the same pipeline without the per-call Powertools logger keys, log line and metrics, to
 * show what the telemetry costs (log level SILENT and metrics disabled still pay for the calls).
 */

const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 400);
const BATCH = Number(process.env.BENCH_BATCH ?? 50);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 5_000);

const root = path.join(__dirname, '..');
const json = (file: string): unknown => JSON.parse(readFileSync(path.join(root, file), 'utf8'));

const schemaText = readFileSync(path.join(root, 'tests/fixtures/schemas/kit-report.yaml'), 'utf8');
const kass = defineTool({
  name: 'report',
  schema: schemaText,
  operations: {
    listTickets: async () => [],
    createTicket: async () => ({ ticketId: 'TCK-2001' }),
    getTicket: async () => ({ ticketId: 'TCK-1042' }),
  },
});
const kassEvent = json('tests/events/bedrock-agent/openapi-post-body.json');

// The adapter pipeline alone: parse, route, coerce + validate, handler, respond.
const coreRoutes = new Map(
  readOperations(parseSchemaSource(schemaText, 'report.yaml').document).map((op) => [
    `${op.method} ${op.path}`,
    compileInputReader(op),
  ]),
);
const core = async (raw: unknown) => {
  const parsed = parseAgentEvent(raw);
  if (!parsed.ok) return toAgentResponse(parsed.routing, 400, { fields: parsed.issues });
  const event = parsed.event;
  const read = coreRoutes.get(`${event.httpMethod.toUpperCase()} ${event.apiPath}`);
  if (!read) return toAgentResponse(event, 404, {});
  const input = read(event);
  if (!input.ok) return toAgentResponse(event, 400, { fields: input.fields });
  const body = await (async () => ({ ticketId: 'TCK-2001' }))();
  return toAgentResponse(event, 200, body);
};

const powertools = new BedrockAgentFunctionResolver();
powertools.tool(async () => ({ summary: 'constant' }), {
  name: 'summarizeConversation',
  description: 'Summarises a stored conversation into bullet points and action items.',
});
const powertoolsEvent = json('tests/events/bedrock-agent/function-details.json');

// The same function-details event through kass: the summarize schema, a constant handler like Powertools'.
const kassFunctions = defineTool({
  name: 'summarize',
  schema: readFileSync(path.join(__dirname, '..', 'schemas', 'summarize.yaml'), 'utf8'),
  operations: {
    summarizeConversation: async () => ({ summary: 'constant' }),
    summarizeText: async () => ({ summary: 'constant' }),
  },
});
const context = { functionName: 'bench', awsRequestId: 'bench' } as Context;

let sink = 0;

async function batch(fn: () => Promise<unknown>, n: number): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const out = await fn();
    if (out) sink++;
  }
  return Number(process.hrtime.bigint() - start) / 1_000 / n; // µs per event
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

export async function run(): Promise<void> {
  const candidates = [
    {
      name: 'kass defineTool (OpenAPI, POST /tickets, 4 body props)',
      fn: () => kass(kassEvent),
      times: [] as number[],
    },
    { name: 'kass core, no telemetry calls (same event)', fn: () => core(kassEvent), times: [] as number[] },
    {
      name: 'kass defineTool (function details, the same event as Powertools)',
      fn: () => kassFunctions(powertoolsEvent),
      times: [] as number[],
    },
    {
      name: 'powertools BedrockAgentFunctionResolver (function details)',
      fn: () => powertools.resolve(powertoolsEvent, context),
      times: [] as number[],
    },
  ];
  const check = await kass(kassEvent);
  if (!isApiResponse(check) || check.response.httpStatusCode !== 200)
    throw new Error(`kass answered ${JSON.stringify(check.response)}`);
  const checkFunction = await kassFunctions(powertoolsEvent);
  if (isApiResponse(checkFunction) || checkFunction.response.functionResponse.responseState !== undefined)
    throw new Error(`kass answered the function call with ${JSON.stringify(checkFunction.response)}`);
  for (const c of candidates) await batch(c.fn, WARMUP);
  for (let s = 0; s < SAMPLES; s++) {
    for (let i = 0; i < candidates.length; i++) {
      const c = candidates[(s + i) % candidates.length];
      if (c) c.times.push(await batch(c.fn, BATCH));
    }
  }
  const [full, bare, sameEvent, baseline] = candidates.map((c) => median(c.times));
  console.log(
    `node ${process.version}, ${SAMPLES} samples x ${BATCH} events each, ${WARMUP} warm-up events (sink ${sink > 0})`,
  );
  for (const c of candidates) console.log(`${c.name}: ${median(c.times).toFixed(2)} µs/event (median)`);
  console.log(`ratio kass/powertools: ${((full ?? 0) / (baseline ?? 1)).toFixed(2)}`);
  console.log(`ratio kass core/powertools: ${((bare ?? 0) / (baseline ?? 1)).toFixed(2)}`);
  console.log(
    `ratio kass/powertools on the same function-details event: ${((sameEvent ?? 0) / (baseline ?? 1)).toFixed(2)}`,
  );
}
