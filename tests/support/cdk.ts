import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { parseSchemaSource } from '../../action-groups/kit/openapi/document';
import { readOperations } from '../../action-groups/kit/openapi/operations';
import { loadStageConfig } from '../../infra/config/load-config';
import type { StageConfig } from '../../infra/config/stage-config';
import type { DiscoveredTool } from '../../infra/constructs/tool-discovery';

/** An app that skips asset bundling: construct tests check templates, not bundles. */
export const testApp = (): App =>
  // Bundling is skipped (templates, not bundles) and so is CDK's WASM template validation (seconds per test
  // file): tests/infra/cfn-validate.test.ts runs it over the real templates.
  new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });

/** A fresh stack in a fixed account/region so ARNs are concrete where CDK allows. */
export const testStack = (app: App = testApp()): Stack =>
  new Stack(app, 'TestStack', { env: { account: '123456789012', region: 'us-east-1' } });

/** The dev configuration with overrides (validated like the real thing). */
export const testConfig = (overrides: Record<string, unknown> = {}): StageConfig =>
  loadStageConfig('dev', overrides);

/** A discovered tool backed by the fixture schema and a stand-in handler. */
export function fixtureTool(
  name = 'tickets',
  schemaFile = 'tests/fixtures/infra/tickets.yaml',
): DiscoveredTool {
  const repoRoot = path.resolve(__dirname, '../..');
  const schemaText = fs.readFileSync(path.join(repoRoot, schemaFile), 'utf8');
  const { document } = parseSchemaSource(schemaText, schemaFile);
  return {
    name,
    schemaFile,
    handlerEntry: 'tests/fixtures/infra/echo-handler.ts',
    schemaText,
    description: 'Tickets for problems users report.',
    operations: readOperations(document),
  };
}

/** Matches the resource-policy statement that denies `action` over plain HTTP (`aws:SecureTransport` false). */
export const denyInsecureTransport = (action: string) =>
  Match.objectLike({
    Effect: 'Deny',
    Action: action,
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  });

/**
 * The trust-policy statement that lets `service` assume a role only for resources of the test account
 * (123456789012): `sourceArn` is the ARN after `arn:<partition>`, e.g. `:bedrock:us-east-1:123456789012:…`.
 */
export const assumableByServiceOfTestAccount = (service: string, sourceArn: string) => ({
  Effect: 'Allow',
  Principal: { Service: service },
  Action: 'sts:AssumeRole',
  Condition: {
    StringEquals: { 'aws:SourceAccount': '123456789012' },
    ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, sourceArn]] } },
  },
});
