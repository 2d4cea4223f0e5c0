import { PRICE_REGION, PRICES_AS_OF } from '../../contracts/prices';
import { VECTOR_STORE_LABELS, type VectorStoreKind } from '../../contracts/vector-stores';
import { ASSUMPTIONS, type CostLine, dollars, type Estimate, turnDollars } from './estimate';

/** Text rendering of `kass cost` estimates: a table per estimate, or stores side by side. */

const money = (usd: number): string =>
  usd.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

const storeLabel = (kind: Estimate['vectorStore']): string =>
  kind === 'none' ? 'no knowledge base' : VECTOR_STORE_LABELS[kind];

function workloadLine(e: Estimate): string {
  const w = e.workload;
  return (
    `Workload: ${w.requests.toLocaleString('en-US')} agent turns a month through REST /chat, ` +
    `${w.documentsGb} GB of documents; a turn = ${Math.round(w.inputTokensPerTurn).toLocaleString('en-US')} input + ` +
    `${Math.round(w.outputTokensPerTurn).toLocaleString('en-US')} output tokens over ${w.modelCallsPerTurn.toFixed(1)} ` +
    `model calls (${w.turnsFrom}); agent model ${w.model}`
  );
}

const assumptionsLine = (): string =>
  `Assumptions: ${ASSUMPTIONS.textShare * 100} % of document bytes are text, ${ASSUMPTIONS.monthlyChange * 100} % of ` +
  `the documents change a month, ${ASSUMPTIONS.bytesPerPage.toLocaleString('en-US')} B a page, ` +
  `${ASSUMPTIONS.chatSecondsPerTurn} s of chat Lambda per turn, ${ASSUMPTIONS.guardrailInputUnits}+` +
  `${ASSUMPTIONS.guardrailOutputUnits} guardrail text units per turn (all in cli/cost/estimate.ts); no free tier.`;

const pricesLine = (): string =>
  `Prices: contracts/prices.ts, ${PRICE_REGION} as of ${PRICES_AS_OF}, each with its source; entries marked ` +
  '`verify` come from secondary sources. Model prices include geographic-profile premiums where they apply.';

/** One estimate: lines by cost, formulas under them, totals, per-turn figures. */
export function formatEstimate(e: Estimate): string {
  const width = Math.max(10, ...e.lines.map((l) => money(l.usd).length), money(e.total).length);
  const row = (usd: string, text: string) => `  ${usd.padStart(width)}  ${text}`;
  const sorted = [...e.lines].sort((a, b) => b.usd - a.usd);
  const out = [
    `kass cost${e.stage ? `: stage ${e.stage}` : ''}, vector store ${storeLabel(e.vectorStore)}, ` +
      'monthly estimate in US dollars',
    workloadLine(e),
    '',
    row('USD/month', 'Service'),
    ...sorted.flatMap((l) => [row(money(l.usd), l.service), row('', `= ${l.formula}`)]),
    row('-'.repeat(width), ''),
    row(money(e.total), 'Total a month'),
    '',
    `Per turn: ${turnDollars(e.perTurn.total)} all-in, ${turnDollars(e.perTurn.model)} of it the agent's model (turns and memory). ` +
      `Per 1,000 turns: ${dollars(e.per1kTurns.total)} (model ${dollars(e.per1kTurns.model)}).`,
  ];
  if (e.oneTime.length > 0) {
    out.push(
      `Once, when the corpus is first ingested: ${e.oneTime
        .map((l: CostLine) => `${l.service} ${dollars(l.usd)} (${l.formula})`)
        .join('; ')}.`,
    );
  }
  for (const warning of e.warnings) out.push(`Warning: ${warning}`);
  out.push(assumptionsLine(), pricesLine());
  return `${out.join('\n')}\n`;
}

/** The store's own services (they differ by store; the comparison groups them first, with a subtotal). */
const STORE_SERVICES = /^(OpenSearch Serverless|S3 Vectors|Aurora|RDS Data API)/;

const SHORT_LABELS: Readonly<Record<VectorStoreKind, string>> = {
  'opensearch-serverless': 'OpenSearch',
  's3-vectors': 'S3 Vectors',
  'aurora-pgvector': 'Aurora pgvector',
};

/** The same workload on each store, side by side: the store's lines and subtotal first, then everything else. */
export function formatComparison(estimates: Readonly<Record<string, Estimate>>): string {
  const stores = Object.keys(estimates) as VectorStoreKind[];
  const first = estimates[stores[0] ?? ''];
  if (!first) return '';
  const cell = new Map<string, number>();
  const storeRows: string[] = [];
  const otherRows: string[] = [];
  for (const store of stores) {
    for (const line of estimates[store]?.lines ?? []) {
      const rows = STORE_SERVICES.test(line.service) ? storeRows : otherRows;
      if (!rows.includes(line.service)) rows.push(line.service);
      const key = `${store}\u0000${line.service}`;
      cell.set(key, (cell.get(key) ?? 0) + line.usd);
    }
  }
  const usd = (store: string, service: string) => cell.get(`${store}\u0000${service}`);
  const largest = (service: string) => Math.max(...stores.map((s) => usd(s, service) ?? 0));
  otherRows.sort((a, b) => largest(b) - largest(a));
  const subtotal = (store: string) => storeRows.reduce((sum, service) => sum + (usd(store, service) ?? 0), 0);
  const columns = stores.map((s) => SHORT_LABELS[s]);
  const width = Math.max(12, ...columns.map((c) => c.length));
  const labels = [...storeRows, ...otherRows, 'Vector store subtotal', 'Total a month'];
  const name = Math.max(...labels.map((s) => s.length));
  const row = (label: string, values: string[]) =>
    `  ${label.padEnd(name)}  ${values.map((v) => v.padStart(width)).join('  ')}`;
  const serviceRow = (service: string) =>
    row(
      service,
      stores.map((store) => {
        const value = usd(store, service);
        return value === undefined ? '-' : money(value);
      }),
    );
  const rule = row(
    '',
    stores.map(() => '-'.repeat(width)),
  );
  const lines = [
    `kass cost --compare-stores${first.stage ? `: stage ${first.stage}` : ''}, monthly estimate in US dollars`,
    workloadLine(first),
    '',
    row('USD a month', columns),
    ...storeRows.map(serviceRow),
    row(
      'Vector store subtotal',
      stores.map((s) => money(subtotal(s))),
    ),
    rule,
    ...otherRows.map(serviceRow),
    rule,
    row(
      'Total a month',
      stores.map((s) => money(estimates[s]?.total ?? 0)),
    ),
    row(
      'Per 1,000 turns',
      stores.map((s) => money(estimates[s]?.per1kTurns.total ?? 0)),
    ),
    '',
    `Formulas per line: kass cost --stage ${first.stage ?? '<stage>'} --config '{"knowledgeBase":{"vectorStore":"<store>"}}'.`,
    assumptionsLine(),
    pricesLine(),
  ];
  return `${lines.join('\n')}\n`;
}

/** The agent model line of several models, with the rest of the bill unchanged. */
export function formatModelComparison(byModel: readonly { key: string; estimate: Estimate }[]): string {
  const rows = byModel.map(({ key, estimate: e }) => ({
    key,
    turn: turnDollars(e.perTurn.model),
    thousand: money(e.per1kTurns.model),
    month: money(e.perTurn.model * e.workload.requests),
    total: money(e.total),
  }));
  const cols = ['Model', 'Model per turn', 'Model per 1K turns', 'Model a month', 'Total a month'];
  const widths = cols.map((c, i) =>
    Math.max(c.length, ...rows.map((r) => [r.key, r.turn, r.thousand, r.month, r.total][i]?.length ?? 0)),
  );
  const fmt = (cells: string[]) =>
    `  ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ')}`;
  return `${[
    'Agent models compared (same workload, same tokens per turn):',
    fmt(cols),
    ...rows.map((r) => fmt([r.key, r.turn, r.thousand, r.month, r.total])),
  ].join('\n')}\n`;
}
