import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildApp } from '../../infra/app';
import { cfnLintInstalled, runCfnLint } from '../support/cfn-lint';
import { discordConfig } from '../support/discord';

if (!cfnLintInstalled) console.warn('cfn-lint is not installed: the CloudFormation lint test is skipped.');

const itWhenInstalled = cfnLintInstalled ? it : it.skip;

describe('cfn-lint over every synthesized template', () => {
  itWhenInstalled.each([
    ['dev', {}],
    ['prod', {}],
    ['dev with the Discord bot on', { 'kass:config': { discord: discordConfig('a1'.repeat(32)) } }],
    ['dev on AgentCore', { 'kass:config': { agent: { engine: 'agentcore' } } }],
    ['prod on AgentCore', { 'kass:config': { agent: { engine: 'agentcore' } } }],
    [
      'dev on AgentCore with the Discord bot on',
      { 'kass:config': { agent: { engine: 'agentcore' }, discord: discordConfig('a1'.repeat(32)) } },
    ],
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
    const result = runCfnLint(templates);
    // Assess
    expect(result).toEqual({ status: 0, findings: [] });
  });
});
