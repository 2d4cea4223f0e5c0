import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildApp } from '../../infra/app';
import { discordConfig } from '../support/discord';

const cfnLint = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
const installed = cfnLint.status === 0;
if (!installed) console.warn('cfn-lint is not installed: the CloudFormation lint test is skipped.');

// W3005 (redundant DependsOn) comes from CDK-generated dependencies, not from our code.
const IGNORED = ['W3005'];

const itWhenInstalled = installed ? it : it.skip;

describe('cfn-lint over every synthesized template', () => {
  itWhenInstalled.each([
    ['dev', {}],
    ['prod', {}],
    ['dev with the Discord bot on', { 'kass:config': { discord: discordConfig('a1'.repeat(32)) } }],
    ['dev on S3 Vectors', { 'kass:config': { knowledgeBase: { vectorStore: 's3-vectors' } } }],
    ['dev on Aurora pgvector', { 'kass:config': { knowledgeBase: { vectorStore: 'aurora-pgvector' } } }],
    [
      'prod on Aurora pgvector with foundation-model parsing',
      {
        'kass:config': {
          knowledgeBase: {
            vectorStore: 'aurora-pgvector',
            parsing: 'foundation-model',
            dataSourceGeneration: 2,
          },
        },
      },
    ],
    [
      'prod on S3 Vectors with Data Automation parsing',
      {
        'kass:config': {
          knowledgeBase: { vectorStore: 's3-vectors', parsing: 'data-automation', dataSourceGeneration: 2 },
        },
      },
    ],
  ])('finds no errors or warnings in the %s templates', (name, config) => {
    // Prepare
    const stage = name.split(' ')[0] ?? 'dev';
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'kass-cfnlint-'));
    const { app } = buildApp({
      stage,
      outdir,
      context: { 'aws:cdk:bundling-stacks': [], ...config },
      nag: false,
    });
    const templates = app.synth().stacks.map((s) => path.join(outdir, s.templateFile));
    // Act
    let output = '';
    let status = 0;
    try {
      output = execFileSync(
        'cfn-lint',
        ['--ignore-checks', ...IGNORED, '--format', 'parseable', '-t', ...templates],
        {
          encoding: 'utf8',
        },
      );
    } catch (error) {
      const e = error as { status: number; stdout: string };
      status = e.status;
      output = e.stdout;
    }
    // Assess
    expect({ status, findings: output.trim().split('\n').filter(Boolean) }).toEqual({
      status: 0,
      findings: [],
    });
  });
});
