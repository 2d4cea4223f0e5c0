import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../infra/app';

/**
 * The whole KASS app for a stage, bundling skipped, built once per test file. `config` is merged over the
 * stage's settings as `-c kass:config='…'` would be.
 */
export function buildTestApp(
  stage = 'dev',
  options: { nag?: boolean; config?: Record<string, unknown> } = {},
) {
  const built = buildApp({
    stage,
    context: {
      'aws:cdk:bundling-stacks': [],
      ...(options.config ? { 'kass:config': options.config } : {}),
    },
    nag: options.nag ?? false,
  });
  return { ...built, template: Template.fromStack(built.stack) };
}
