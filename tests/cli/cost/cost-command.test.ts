import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createCost, usage } from '../../../cli/commands/cost';
import type { Estimate } from '../../../cli/cost/estimate';
import { type SynthesizedStage, synthesizeStage } from '../../../cli/cost/synthesize';
import { main } from '../../../cli/main';
import { captureIo } from '../../support/cli-io';
import { shippedToolNames } from '../../support/tools';

/** The real synthesis (bundling skipped), once per stage and overrides for the whole file. */
const synthesized = new Map<string, Promise<SynthesizedStage>>();
const synthesize = (stage: string, overrides: Record<string, unknown>) => {
  const key = `${stage} ${JSON.stringify(overrides)}`;
  if (!synthesized.has(key)) synthesized.set(key, synthesizeStage(stage, overrides));
  return synthesized.get(key) as Promise<SynthesizedStage>;
};

const cost = createCost({ synthesize });

async function run(argv: string[]) {
  const io = captureIo();
  const code = await cost(argv, io);
  return { code, out: io.out(), err: io.err() };
}

const line = (e: Estimate, service: string) => e.lines.find((l) => l.service === service);

describe('Command: kass cost (on the synthesized templates)', () => {
  it('prices dev at the design’s medium usage: OpenSearch without standby replicas is half the $350 floor', async () => {
    // Act
    const { code, out } = await run(['--json']);
    // Assess
    expect(code).toBe(0);
    const e = JSON.parse(out) as Estimate;
    expect(e).toMatchObject({ stage: 'dev', vectorStore: 'opensearch-serverless' });
    expect(e.workload).toMatchObject({ requests: 100_000, documentsGb: 10, model: 'claude-sonnet-4-5' });
    expect(line(e, 'OpenSearch Serverless compute')?.usd).toBe(175.2);
    expect(line(e, 'OpenSearch Serverless compute')?.usd).toBeCloseTo(350 / 2, 0);
    // What the template deploys: the dev functions' memory, its alarms (two per tool function among them, the
    // composite included), the dashboard, the REST and WebSocket APIs.
    const { template } = await synthesize('dev', {});
    const alarms = Object.values(template.Resources ?? {}).filter(
      (r) => r.Type === 'AWS::CloudWatch::Alarm' || r.Type === 'AWS::CloudWatch::CompositeAlarm',
    );
    expect(alarms.length).toBeGreaterThanOrEqual(9 + 2 * shippedToolNames().length);
    expect(line(e, 'Lambda')?.formula).toContain('0.5 GB (kass-chat)');
    expect(line(e, 'CloudWatch')?.formula).toMatch(
      new RegExp(`^${alarms.length} alarms × \\$0\\.1 \\+ 1 dashboards × \\$3`),
    );
    expect(e.lines.map((l) => l.service)).toEqual(
      expect.arrayContaining(['API Gateway REST', 'API Gateway WebSocket']),
    );
    expect(e.lines.map((l) => l.service)).not.toContain('AWS WAF');
    expect(e.lines.map((l) => l.service)).not.toContain('NAT gateways');
  });

  it('prices prod with standby replicas at the design’s $350, and S3 Vectors and Aurora below it', async () => {
    // Act
    const { code, out } = await run(['--stage', 'prod', '--compare-stores', '--json']);
    // Assess
    expect(code).toBe(0);
    const result = JSON.parse(out) as { stage: string; stores: Record<string, Estimate> };
    expect(Object.keys(result.stores)).toEqual(['opensearch-serverless', 's3-vectors', 'aurora-pgvector']);
    const { 'opensearch-serverless': aoss, 's3-vectors': s3v, 'aurora-pgvector': pg } = result.stores;
    if (!aoss || !s3v || !pg) throw new Error('missing store');
    expect(line(aoss, 'OpenSearch Serverless compute')?.usd).toBe(350.4);
    expect(line(aoss, 'OpenSearch Serverless compute')?.usd).toBeCloseTo(350, 0);
    expect(s3v.total).toBeLessThan(aoss.total);
    expect(pg.total).toBeLessThan(aoss.total);
    // Each estimate comes from its own template: no OpenSearch where another store is deployed.
    expect(s3v.lines.map((l) => l.service)).toEqual(
      expect.arrayContaining(['S3 Vectors storage', 'S3 Vectors writes', 'S3 Vectors queries']),
    );
    expect(JSON.stringify(s3v.lines)).not.toContain('OpenSearch');
    expect(line(pg, 'Aurora Serverless v2 compute')?.formula).toContain('0.5 ACU minimum × 730 h');
    // Prod deploys a web ACL and agent memory; its totals are in US dollars a month.
    expect(aoss.lines.map((l) => l.service)).toEqual(
      expect.arrayContaining(['AWS WAF', 'Agent memory (session summaries)']),
    );
    expect(typeof aoss.total).toBe('number');
  });

  it('prints the comparison as a table with one column per store', async () => {
    const { out } = await run(['--stage', 'prod', '--compare-stores']);
    expect(out).toMatch(/USD a month\s+OpenSearch\s+S3 Vectors\s+Aurora pgvector/);
    expect(out).toMatch(/OpenSearch Serverless compute\s+350\.40\s+-\s+-/);
    expect(out).toContain('Vector store subtotal');
  });

  it('prints one line per service with its formula, the total, per turn and per 1,000 turns', async () => {
    const { code, out } = await run(['--requests', '50000', '--documents-gb', '2']);
    expect(code).toBe(0);
    expect(out).toContain('Workload: 50,000 agent turns a month through REST /chat, 2 GB of documents');
    expect(out).toMatch(
      /\n\s+175\.20 {2}OpenSearch Serverless compute\n\s+= 1 OCU floor \(standby replicas off/,
    );
    expect(out).toMatch(/Total a month\n/);
    expect(out).toMatch(/Per turn: \$0\.\d{4} all-in, \$0\.\d{4} of it the agent's model/);
    expect(out).toContain('Per 1,000 turns:');
    expect(out).toContain('contracts/prices.ts, us-east-1 as of 2026-12-06');
  });

  it('compares the configured models on the same workload (--model all)', async () => {
    const { out } = await run(['--model', 'all', '--json']);
    const e = JSON.parse(out) as Estimate & { models: Record<string, Estimate> };
    const perTurn = (key: string) => e.models[key]?.perTurn.model ?? 0;
    expect(Object.keys(e.models)).toEqual([
      'claude-sonnet-4-5',
      'claude-sonnet-4-6',
      'claude-haiku-4-5',
      'claude-3-5-sonnet-v2',
    ]);
    // Haiku is a third of Sonnet; the Legacy model has no geographic-profile premium.
    expect(perTurn('claude-haiku-4-5') / perTurn('claude-sonnet-4-5')).toBeCloseTo(1 / 3, 5);
    expect(perTurn('claude-3-5-sonnet-v2') / perTurn('claude-sonnet-4-5')).toBeCloseTo(1 / 1.1, 5);
    const text = await run(['--model', 'claude-haiku-4-5', '--model', 'claude-sonnet-4-5']);
    expect(text.out).toMatch(/Agent models compared[\s\S]*claude-haiku-4-5[\s\S]*claude-sonnet-4-5/);
  });

  it('takes tokens per turn from the flags, and from turns recorded with kass ask --json', async () => {
    const flags = JSON.parse(
      (await run(['--tokens-in', '2000', '--tokens-out', '100', '--json'])).out,
    ) as Estimate;
    expect(flags.workload).toMatchObject({ inputTokensPerTurn: 2000, outputTokensPerTurn: 100 });
    expect(line(flags, 'Agent model: Claude Sonnet 4.5 (us. profile)')?.usd).toBeCloseTo(
      100_000 * ((2000 * 3.3 + 100 * 16.5) / 1e6),
      1,
    );
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kass-turns-'));
    const turn = (input: number) =>
      JSON.stringify(
        {
          answer: 'x',
          usage: { inputTokens: input, outputTokens: 50, modelCalls: 3 },
          trace: { toolCalls: [], knowledgeBaseLookups: [{}] },
        },
        null,
        2,
      );
    fs.writeFileSync(path.join(dir, 'turns.json'), `${turn(10_000)}\n${turn(20_000)}\n`);
    const recorded = JSON.parse(
      (await run(['--turns-from', path.join(dir, 'turns.json'), '--json'])).out,
    ) as Estimate;
    expect(recorded.workload).toMatchObject({
      inputTokensPerTurn: 15_000,
      outputTokensPerTurn: 50,
      modelCallsPerTurn: 3,
      turnsFrom: `2 turns recorded in ${path.join(dir, 'turns.json')}`,
    });
  });

  it('prices a template file (e.g. cdk.out or a deployed stack) with --template', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kass-template-'));
    const file = path.join(dir, 'kass-prod.template.json');
    fs.writeFileSync(file, JSON.stringify((await synthesize('prod', {})).template));
    const { code, out } = await run(['--template', file, '--json']);
    expect(code).toBe(0);
    expect(line(JSON.parse(out) as Estimate, 'OpenSearch Serverless compute')?.usd).toBe(350.4);
  });

  it('applies --config overrides to the synthesized stage, like -c kass:config does', async () => {
    const e = JSON.parse(
      // Parsing is fixed per data source: pricing a change means pricing the new generation that deploys it.
      (
        await run([
          '--config',
          '{"knowledgeBase":{"parsing":"data-automation","dataSourceGeneration":2}}',
          '--json',
        ])
      ).out,
    ) as Estimate;
    expect(line(e, 'Parsing: Bedrock Data Automation')?.usd).toBe(100);
    expect(e.oneTime.map((l) => [l.service, l.usd])).toContainEqual([
      'Parsing: Bedrock Data Automation',
      1000,
    ]);
  });

  it.each([
    [['--requests=-1'], '--requests must be a whole number ≥ 0 (got "-1")'],
    [['--requests', '1.5'], '--requests must be a whole number ≥ 0 (got "1.5")'],
    [['--documents-gb', 'lots'], '--documents-gb must be a number ≥ 0 (got "lots")'],
    [['--model', 'gpt-5'], '--model gpt-5: unknown model; use one of claude-sonnet-4-5'],
    [['--config', '[1]'], '--config must be a JSON object'],
    [['--compare-stores', '--template', 'x.json'], '--compare-stores synthesizes the stage once per store'],
  ])('exits 2 on a usage error: %j', async (argv, message) => {
    const io = captureIo();
    const code = await main(['cost', ...argv], io, {
      cost: { args: '', summary: 'cost', load: async () => ({ usage, run: cost }) },
    });
    expect(code).toBe(2);
    expect(io.err()).toContain(message);
  });

  it('exits 1 with the app’s message for a configuration the app rejects, and for a missing file', async () => {
    const io = captureIo();
    const commands = { cost: { args: '', summary: 'cost', load: async () => ({ usage, run: cost }) } };
    expect(
      await main(['cost', '--config', '{"knowledgeBase":{"vectorStore":"pinecone"}}'], io, commands),
    ).toBe(1);
    expect(io.err()).toContain('knowledgeBase.vectorStore: vectorStore must be one of');
    expect(await main(['cost', '--turns-from', 'no-such-file.json'], io, commands)).toBe(1);
    expect(io.err()).toContain('--turns-from no-such-file.json: ENOENT');
  });
});
