import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildApp } from '../../infra/app';
import { cfnLintInstalled, runCfnLint } from '../support/cfn-lint';

if (!cfnLintInstalled) console.warn('cfn-lint is not installed: the CloudFormation lint test is skipped.');

const itWhenInstalled = cfnLintInstalled ? it : it.skip;

describe('cfn-lint over every synthesized template', () => {
  itWhenInstalled.each(['dev', 'prod'])('finds no errors or warnings in the %s templates', (stage) => {
    // Prepare
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'kass-cfnlint-'));
    const { app } = buildApp({ stage, outdir, context: { 'aws:cdk:bundling-stacks': [] }, nag: false });
    const templates = app.synth().stacks.map((s) => path.join(outdir, s.templateFile));
    // Act
    const result = runCfnLint(templates);
    // Assess
    expect(result).toEqual({ status: 0, findings: [] });
  });
});
