import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../infra/app';

/** The whole KASS app for a stage, bundling skipped, built once per test file. */
export function buildTestApp(stage = 'dev', options: { nag?: boolean } = {}) {
  const built = buildApp({ stage, context: { 'aws:cdk:bundling-stacks': [] }, nag: options.nag ?? false });
  return { ...built, template: Template.fromStack(built.stack) };
}
