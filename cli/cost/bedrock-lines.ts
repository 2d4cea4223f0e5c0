import { type ModelPrice, PRICES, type Price, tokenPrices } from '../../contracts/prices';
import {
  ASSUMPTIONS,
  type Context,
  type CostLine,
  perMillion,
  serviceOf,
  thousands,
  turnDollars,
  unitPrice,
} from './estimate-basis';
import type { ModelRef } from './inventory';

/** Bedrock's monthly lines: embeddings, parsing, the agent's and the tools' models, memory, the guardrail. */

export function embeddingLines({ inventory, volumes }: Context): CostLine[] {
  if (!inventory.knowledgeBase) return [];
  const ingest = volumes.textTokens * ASSUMPTIONS.monthlyChange;
  const queries = volumes.lookups * ASSUMPTIONS.queryTokens;
  return [
    {
      service: 'Titan Text Embeddings V2',
      usd: ((ingest + queries) / 1e6) * PRICES.titanEmbedV2MillionTokens.usd,
      formula:
        `(${thousands(ingest)} tokens of changed documents + ${thousands(volumes.lookups)} queries × ` +
        `${ASSUMPTIONS.queryTokens}) × ${unitPrice(PRICES.titanEmbedV2MillionTokens)}`,
    },
  ];
}

/** Parsing charges per page: the pages changed in a month (`share` = 1 for the first full ingestion). */
export function parsingLines({ inventory, volumes, warnings }: Context, share: number): CostLine[] {
  const parsing = inventory.knowledgeBase?.parsing;
  if (!parsing) return [];
  const pages = volumes.pages * share;
  const pagesText = `${thousands(pages)} pages (${share === 1 ? 'the whole corpus' : `${share * 100} % changed a month`}, ${thousands(ASSUMPTIONS.bytesPerPage)} B each)`;
  if (parsing.strategy === 'data-automation') {
    return [
      {
        service: 'Parsing: Bedrock Data Automation',
        usd: pages * PRICES.dataAutomationPage.usd,
        formula: `${pagesText} × ${unitPrice(PRICES.dataAutomationPage)}`,
      },
    ];
  }
  if (parsing.strategy === 'foundation-model') {
    const model = parsing.model?.model;
    if (!model || !parsing.model) {
      warnings.push(`parser model ${parsing.model?.id ?? '(none)'} has no price in contracts/prices.ts`);
      return [
        { service: 'Parsing: foundation model', usd: 0, formula: 'parser model not in the price table' },
      ];
    }
    const price = tokenPrices(model, parsing.model.geo);
    const { input, output } = ASSUMPTIONS.parserTokensPerPage;
    return [
      {
        service: `Parsing: ${model.label}`,
        usd: (pages * (input * price.input + output * price.output)) / 1e6,
        formula: `${pagesText} × (${input} in × ${perMillion(price.input)} + ${output} out × ${perMillion(price.output)}) / 1M`,
      },
    ];
  }
  return share === 1 ? [] : [{ service: 'Parsing: default parser', usd: 0, formula: 'text only, no charge' }];
}

const modelLabel = (ref: ModelRef | undefined, model: ModelPrice | undefined): string =>
  model
    ? `${model.label}${ref && ref.geo !== 'none' ? ` (${ref.geo}. profile)` : ''}`
    : (ref?.id ?? 'unknown');

/** The agent's own model calls: the line that dominates the bill. */
export function agentModelLines({ inventory, workload, warnings }: Context): CostLine[] {
  const ref = inventory.agent?.model;
  if (!ref && !workload.model) return [];
  const model = workload.model ?? ref?.model;
  if (!model) {
    warnings.push(`agent model ${ref?.id} has no price in contracts/prices.ts; the model line is missing`);
    return [];
  }
  const geo = ref?.geo ?? 'none';
  const price = tokenPrices(model, geo);
  const { inputTokens, outputTokens, modelCalls } = workload.profile;
  const perTurn = (inputTokens * price.input + outputTokens * price.output) / 1e6;
  return [
    {
      service: `Agent model: ${modelLabel(ref, model)}`,
      usd: workload.requests * perTurn,
      formula:
        `${thousands(workload.requests)} turns × (${thousands(inputTokens)} in × ${perMillion(price.input)} + ` +
        `${thousands(outputTokens)} out × ${perMillion(price.output)}) / 1M over ${modelCalls.toFixed(1)} model ` +
        `calls a turn = ${turnDollars(perTurn)} a turn` +
        (geo !== 'global' && geo !== 'none' && model.geoPremium > 0
          ? ` (incl. ${model.geoPremium * 100} % geographic-profile premium)`
          : ''),
    },
  ];
}

export function toolModelLines({ inventory, workload, warnings }: Context): CostLine[] {
  const lines: CostLine[] = [];
  for (const [tool, use] of Object.entries(workload.profile.toolModelTokens)) {
    const fn = serviceOf(inventory, `kass-${tool}`);
    const model = fn?.model?.model;
    if (!fn?.model || !model) {
      if (fn) warnings.push(`the ${tool} tool's model ${fn.model?.id ?? '(none)'} has no price`);
      continue;
    }
    const price = tokenPrices(model, fn.model.geo);
    lines.push({
      service: `Tool model: ${tool} (${modelLabel(fn.model, model)})`,
      usd: (workload.requests * (use.inputTokens * price.input + use.outputTokens * price.output)) / 1e6,
      formula:
        `${thousands(workload.requests)} turns × (${thousands(use.inputTokens)} in × ${perMillion(price.input)} + ` +
        `${thousands(use.outputTokens)} out × ${perMillion(price.output)}) / 1M (the tool's own Converse calls, per turn on average)`,
    });
  }
  return lines;
}

export function memoryLines({ inventory, workload }: Context): CostLine[] {
  const agent = inventory.agent;
  const model = workload.model ?? agent?.model.model;
  if (!agent?.memory || !model) return [];
  const price = tokenPrices(model, agent.model.geo);
  const sessions = workload.requests / ASSUMPTIONS.turnsPerSession;
  const { input, output } = ASSUMPTIONS.memorySummaryTokens;
  return [
    {
      service: 'Agent memory (session summaries)',
      usd: (sessions * (input * price.input + output * price.output)) / 1e6,
      formula:
        `${thousands(sessions)} sessions (${ASSUMPTIONS.turnsPerSession} turns each) × (${input} in × ` +
        `${perMillion(price.input)} + ${output} out × ${perMillion(price.output)}) / 1M`,
    },
  ];
}

export function guardrailLines({ inventory, workload }: Context): CostLine[] {
  const g = inventory.guardrail;
  if (!g || !inventory.agent) return [];
  const input = workload.requests * ASSUMPTIONS.guardrailInputUnits;
  const output = workload.requests * ASSUMPTIONS.guardrailOutputUnits;
  const both = (input + output) / 1000;
  const parts: { name: string; units: number; price: Price }[] = [];
  if (g.contentFilters)
    parts.push({ name: 'content filters', units: both, price: PRICES.guardrailContentThousandUnits });
  if (g.deniedTopics)
    parts.push({ name: 'denied topics', units: both, price: PRICES.guardrailTopicsThousandUnits });
  if (g.pii) parts.push({ name: 'PII', units: both, price: PRICES.guardrailPiiThousandUnits });
  if (g.grounding)
    parts.push({
      name: 'grounding (answers)',
      units: output / 1000,
      price: PRICES.guardrailGroundingThousandUnits,
    });
  return [
    {
      service: 'Bedrock Guardrails',
      usd: parts.reduce((sum, p) => sum + p.units * p.price.usd, 0),
      formula:
        `${thousands(workload.requests)} turns × (${ASSUMPTIONS.guardrailInputUnits} in + ` +
        `${ASSUMPTIONS.guardrailOutputUnits} out) text units: ` +
        (parts.length > 0
          ? parts.map((p) => `${p.name} ${thousands(p.units, 1)}K × $${p.price.usd}`).join(' + ')
          : 'no billed policy (word and regex filters are free)'),
    },
  ];
}
