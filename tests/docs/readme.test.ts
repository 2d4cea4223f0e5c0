import * as fs from 'node:fs';
import * as path from 'node:path';
import { Stack, aws_sqs as sqs, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { transformSync } from 'esbuild';
import { ConfigError } from '../../infra/config/config-error';
import { loadStageConfig } from '../../infra/config/load-config';
import { formatFindings } from '../../infra/validation-findings';
import { testApp } from '../support/cdk';
import { REPO_ROOT } from '../support/cli-io';
import { checkCommand } from '../support/command-examples';
import { type DocBlock, fencedBlocks, inlineCommands, shellCommands } from '../support/doc-examples';

const README = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
const blocks = fencedBlocks(README);
const block = (lang: string, tag: string): DocBlock => {
  const found = blocks.filter((b) => b.lang === lang && b.tag === tag);
  if (found.length !== 1)
    throw new Error(`README has ${found.length} \`\`\`${lang} ${tag} blocks, expected 1`);
  return found[0] as DocBlock;
};

/** Which test checks each kind of fenced block (language and marker). */
const CHECKED_BY: Record<string, string> = {
  'bash ': 'the command checks below',
  'bash client-install': 'tests/client/outside-app.test.ts',
  'ts client-example': 'tests/client/outside-app.test.ts',
  'ts stage-config': 'this file',
  'ts nag-acknowledgement': 'this file',
  'text config-error': 'this file',
  'text layout': 'this file',
  'text nag-failure': 'this file',
  // A diagram, not an example.
  'text ': 'nobody',
};

/** Runs a README TypeScript snippet (types stripped by esbuild) with the given names in scope. */
const runSnippet = (code: string, scope: Record<string, unknown>): unknown =>
  new Function(...Object.keys(scope), transformSync(code, { loader: 'ts' }).code)(...Object.values(scope));

describe('README.md', () => {
  it('marks every fenced block with a language and, if it is checked, the marker of its test', () => {
    const unknown = blocks.filter((b) => !(`${b.lang} ${b.tag}` in CHECKED_BY));
    expect(unknown.map((b) => `line ${b.line}: \`\`\`${b.lang} ${b.tag}`)).toEqual([]);
  });

  describe('every command, in shell blocks and in the text (run by the real parsers, no AWS)', () => {
    const commands = [
      ...blocks.filter((b) => b.lang === 'bash' && b.tag === '').flatMap(shellCommands),
      ...inlineCommands(README),
    ];

    it('finds the commands (the extraction itself works)', () => {
      expect(commands.length).toBeGreaterThan(60);
      expect(commands.map((c) => c.text)).toEqual(
        expect.arrayContaining([
          'npx kass doctor',
          'npx cdk deploy -c stage=dev -c \'kass:config={"agent":{"inferenceGeo":"eu"},"env":{"region":"eu-central-1"}}\'',
          'kass cost --turns-from turns.json',
          'npm run new-tool -- <name>',
        ]),
      );
    });

    it.each(commands.map((c) => [c.line, c.text]))('line %d: %s', async (_line, text) => {
      expect(await checkCommand(text)).toEqual([]);
    });
  });

  it('shows the configuration error synth really prints', () => {
    // The block shows the error for an idle TTL above 60 minutes.
    let message = '';
    try {
      loadStageConfig('dev', { agent: { idleSessionTtlMinutes: 61 } });
    } catch (error) {
      if (error instanceof ConfigError) message = error.message;
    }
    expect(message).toBe(block('text', 'config-error').text.trim());
  });

  it('turns the Discord bot on with the documented settings (placeholders filled)', () => {
    const fragment = block('ts', 'stage-config').text.replace(
      "'<64 hex characters>'",
      `'${'ab'.repeat(32)}'`,
    );
    const settings = runSnippet(`return ({ ${fragment} });`, {}) as { discord: Record<string, unknown> };
    expect(loadStageConfig('dev', settings).discord).toMatchObject({
      enabled: true,
      guildIds: ['1098765432109876543'],
    });
  });

  it('lays out folders and files that exist', () => {
    const text = block('text', 'layout').text;
    const folders = [...text.matchAll(/^(\S+)\/\s/gm)].map((m) => m[1] ?? '');
    expect(folders.length).toBeGreaterThan(8);
    for (const folder of folders)
      expect({ folder, exists: fs.existsSync(path.join(REPO_ROOT, folder)) }).toEqual({
        folder,
        exists: true,
      });
    for (const file of ['infra/app.ts', 'infra/synth.ts'])
      expect(fs.existsSync(path.join(REPO_ROOT, file))).toBe(true);
  });

  it('shows a nag failure in the format npm run synth prints', () => {
    const sample = block('text', 'nag-failure').text;
    const printed = formatFindings(
      [
        {
          plugin: 'AwsSolutions',
          rule: 'AwsSolutions-SQS3',
          severity: 'error',
          description:
            'The SQS queue is not used as a dead-letter queue (DLQ) and does not have a DLQ enabled.',
          constructPath: 'kass-dev/Ingestion/Queue/Resource',
          definedAt: 'infra/constructs/ingestion.ts:42',
        },
        {
          plugin: 'AwsSolutions',
          rule: 'AwsSolutions-SQS4',
          severity: 'error',
          description: 'The SQS queue does not require requests to use SSL.',
          constructPath: 'kass-dev/Ingestion/Queue/Resource',
        },
      ],
      'cdk.out/validation-report.json',
    );
    // Every line of the sample (the description shortened with …) is a line of the real output.
    for (const line of sample.split('\n').filter((l) => l.trim() !== '')) {
      const start = line.replace(/ …$/, '');
      expect({ line, printed: printed.split('\n').some((p) => p.startsWith(start)) }).toEqual({
        line,
        printed: true,
      });
    }
    expect(fs.existsSync(path.join(REPO_ROOT, 'infra/constructs/ingestion.ts'))).toBe(true);
  });

  it('acknowledges a finding the way it says: the finding is gone, the others stay', () => {
    // Prepare
    const stack = new Stack(testApp(), 'Acknowledged');
    const queue = new sqs.Queue(stack, 'Queue');
    // Act
    runSnippet(block('ts', 'nag-acknowledgement').text, { Validations, queue });
    const report = new AwsSolutionsChecks(stack).validateScope(stack);
    // Assess
    const rules = report.violations.map((v) => v.ruleName);
    expect(rules).not.toContain('AwsSolutions-SQS3');
    expect(rules).toContain('AwsSolutions-SQS4');
  });
});
