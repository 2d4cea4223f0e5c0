import * as fs from 'node:fs';
import * as path from 'node:path';

/** One finding of a validation plugin (cdk-nag, CloudFormation validation) from CDK's validation report. */
export interface ValidationFinding {
  /** The plugin that reported it, e.g. `AwsSolutions`. */
  readonly plugin: string;
  /** The rule id, e.g. `AwsSolutions-SQS3` or `AwsSolutions-IAM5[Resource::*]`: the id to acknowledge. */
  readonly rule: string;
  readonly severity: 'error' | 'warning';
  /** What is wrong and why the rule exists. */
  readonly description: string;
  /** Construct path of the offending resource, e.g. `kass-dev/Tools/report/Function/Resource`. */
  readonly constructPath: string;
  /** Where the construct was created in this repository (`infra/constructs/x.ts:42`), when known. */
  readonly definedAt?: string;
}

/**
 * The id `Validations.of(construct).acknowledge({ id, reason })` takes for a finding: a cdk-nag rule id as it
 * is (`AwsSolutions-SQS3`, the form cdk-nag's own `validateScope` also honours, which tests/infra/nag.test.ts
 * runs), other plugins' rules with the plugin prefix CDK matches (`CloudFormation-Validate::E3005`).
 */
export const acknowledgeIdOf = (f: ValidationFinding): string =>
  f.rule.startsWith(`${f.plugin}-`) ? f.rule : `${f.plugin}::${f.rule}`;

interface ReportJson {
  pluginReports?: {
    pluginName?: string;
    violations?: {
      ruleName?: string;
      description?: string;
      severity?: string;
      violatingConstructs?: { constructPath?: string; stackTraces?: string[] }[];
    }[];
  }[];
}

/** The first frame of a construct's creation trace that is in this repository (not a library). */
function firstOwnFrame(traces: readonly string[] | undefined, repoRoot: string): string | undefined {
  for (const trace of traces ?? []) {
    for (const match of trace.matchAll(/\(?(\/[^():\s]+):(\d+):\d+\)?/g)) {
      const [, file = '', line] = match;
      if (file.startsWith(repoRoot) && !file.includes(`${path.sep}node_modules${path.sep}`)) {
        return `${path.relative(repoRoot, file)}:${line}`;
      }
    }
  }
  return undefined;
}

/** The findings in `<assembly>/validation-report.json` (CDK writes it whenever a validation plugin ran). */
export function readValidationFindings(reportFile: string, repoRoot: string): ValidationFinding[] {
  if (!fs.existsSync(reportFile)) return [];
  const report = JSON.parse(fs.readFileSync(reportFile, 'utf8')) as ReportJson;
  return (report.pluginReports ?? []).flatMap((plugin) =>
    (plugin.violations ?? []).flatMap((violation) =>
      (violation.violatingConstructs ?? []).map((construct) => {
        const definedAt = firstOwnFrame(construct.stackTraces, repoRoot);
        return {
          plugin: plugin.pluginName ?? '?',
          rule: violation.ruleName ?? '?',
          severity: violation.severity === 'warning' ? ('warning' as const) : ('error' as const),
          description: violation.description ?? '',
          constructPath: construct.constructPath ?? '?',
          ...(definedAt ? { definedAt } : {}),
        };
      }),
    ),
  );
}

/**
 * A readable list of findings (rule, resource path, what is wrong, where it was defined) followed by what to
 * do: fix the construct, or acknowledge the finding on it with a specific reason.
 */
export function formatFindings(findings: readonly ValidationFinding[], reportPath: string): string {
  const errors = findings.filter((f) => f.severity === 'error');
  const lines = [
    `Synth failed: ${errors.length} unacknowledged finding(s)${
      findings.length > errors.length ? ` and ${findings.length - errors.length} warning(s)` : ''
    }. Nothing is deployable until each error is fixed or acknowledged.`,
    '',
  ];
  for (const f of findings) {
    lines.push(`  ${f.rule} (${f.severity}) at ${f.constructPath}`);
    lines.push(`    ${f.description}`);
    if (f.definedAt) lines.push(`    defined at ${f.definedAt}`);
    lines.push(`    acknowledge id: ${acknowledgeIdOf(f)}`);
    lines.push('');
  }
  const example = errors[0] ?? findings[0];
  lines.push(
    'What to do:',
    '  Fix the construct where possible (rules: https://github.com/cdklabs/cdk-nag/blob/main/RULES.md).',
    '  If the finding is safe here, acknowledge it on the construct that owns it, with its acknowledge id and a',
    '  reason that says why (at least 20 characters; tests/infra/nag.test.ts checks every reason and that the',
    '  rule still fires without the acknowledgement):',
    `    Validations.of(construct).acknowledge({ id: '${example ? acknowledgeIdOf(example) : 'AwsSolutions-…'}', reason: '…' });`,
    '  (README: "cdk-nag findings").',
    `  Full report: ${reportPath}`,
  );
  return lines.join('\n');
}
