import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CfnResource } from 'aws-cdk-lib';
import { buildApp, CFN_VALIDATE_CONTEXT } from '../../infra/app';

type Violation = {
  ruleName: string;
  violatingConstructs: { cloudFormationResource: { logicalId: string } }[];
};
type Report = { pluginReports: { pluginName: string; violations: Violation[] }[] };

const reportFile = (outdir: string) => path.join(outdir, 'validation-report.json');

function synth(stage: string, validate: boolean, mistake = false) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'kass-cfnvalidate-'));
  const built = buildApp({
    stage,
    outdir,
    nag: false,
    context: { 'aws:cdk:bundling-stacks': [], ...(validate ? { [CFN_VALIDATE_CONTEXT]: true } : {}) },
  });
  let mistaken: string | undefined;
  if (mistake) {
    // A billing mode CloudFormation does not know (E3030 in cfn-lint terms).
    const cfn = built.stack.data.tickets.node.defaultChild as CfnResource;
    cfn.addPropertyOverride('BillingMode', 'FREE');
    mistaken = built.stack.getLogicalId(cfn);
  }
  built.app.synth();
  return { outdir, mistaken };
}

/**
 * The synth commands skip CDK's built-in CloudFormation validation (a WASM linter that costs seconds per
 * synth); this suite runs it over the templates instead, so a template it would flag still fails `npm test`.
 */
describe('CDK built-in CloudFormation validation', () => {
  it('flags exactly the one mistake put into the dev template, and nothing else', () => {
    // Prepare + Act (CDK prints the warning it found; the report is what this test reads)
    const quiet = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const { outdir, mistaken } = synth('dev', true, true);
    quiet.mockRestore();
    // Assess
    const report = JSON.parse(fs.readFileSync(reportFile(outdir), 'utf8')) as Report;
    const violations = report.pluginReports.flatMap((r) => r.violations);
    const flagged = new Set(
      violations.flatMap((v) => v.violatingConstructs.map((c) => c.cloudFormationResource.logicalId)),
    );
    expect([...flagged]).toEqual([mistaken]);
  });

  it('finds nothing in the prod template', () => {
    // Prepare + Act
    const { outdir } = synth('prod', true);
    // Assess
    const report = JSON.parse(fs.readFileSync(reportFile(outdir), 'utf8')) as Report;
    expect(report.pluginReports.flatMap((r) => r.violations)).toEqual([]);
  });

  it('is off unless asked (the synth commands stay fast)', () => {
    // Prepare + Act
    const { outdir } = synth('dev', false);
    // Assess
    expect(fs.existsSync(reportFile(outdir))).toBe(false);
  });
});
