import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CfnTemplate } from './inventory';

/**
 * The stage's CloudFormation template, synthesized in this process the way the tests do: the app of
 * `infra/app.ts` with asset bundling skipped (the template is the same, only Lambda code assets are
 * placeholders) and cdk-nag off. `kass cost` is the one command that loads the CDK app: what it prices must be
 * what `cdk deploy` would deploy, including `-c kass:config` overrides, not a copy of the rules.
 */
export interface SynthesizedStage {
  readonly stage: string;
  readonly stackName: string;
  readonly template: CfnTemplate;
}

/** Raised for configuration the app rejects (it carries the app's own message). */
export class StageConfigError extends Error {
  override readonly name = 'StageConfigError';
}

export async function synthesizeStage(
  stage: string,
  overrides: Record<string, unknown> = {},
): Promise<SynthesizedStage> {
  const { buildApp } = await import('../../infra/app');
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'kass-cost-'));
  try {
    let built: ReturnType<typeof buildApp>;
    try {
      built = buildApp({
        stage,
        outdir,
        nag: false,
        context: {
          'aws:cdk:bundling-stacks': [],
          ...(Object.keys(overrides).length > 0 ? { 'kass:config': overrides } : {}),
        },
      });
    } catch (error) {
      // The app's ConfigError (recognised by name: it may come from another module instance).
      if ((error as { name?: string }).name === 'ConfigError')
        throw new StageConfigError((error as Error).message);
      throw error;
    }
    const assembly = built.app.synth();
    const template = assembly.getStackByName(built.stack.stackName).template as CfnTemplate;
    return { stage: built.config.stage, stackName: built.stack.stackName, template };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}
