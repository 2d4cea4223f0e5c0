import { execFileSync, spawnSync } from 'node:child_process';

/** cfn-lint (Python) is on the build machines but cannot be installed from here: tests guard for it. */
export const cfnLintInstalled = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' }).status === 0;

/** W3005 (redundant DependsOn) comes from CDK-generated dependencies, not from our code. */
export const CFN_LINT_IGNORED = ['W3005'];

/** cfn-lint's exit status and findings (one per line, parseable format) over the given templates. */
export function runCfnLint(templates: readonly string[]): { status: number; findings: string[] } {
  let output = '';
  let status = 0;
  try {
    output = execFileSync(
      'cfn-lint',
      ['--ignore-checks', ...CFN_LINT_IGNORED, '--format', 'parseable', '-t', ...templates],
      { encoding: 'utf8' },
    );
  } catch (error) {
    const e = error as { status: number; stdout: string };
    status = e.status;
    output = e.stdout;
  }
  return { status, findings: output.trim().split('\n').filter(Boolean) };
}
