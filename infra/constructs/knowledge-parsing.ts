import { Stack } from 'aws-cdk-lib';
import type * as bedrock from 'aws-cdk-lib/aws-bedrock';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { ParsingConfig } from '../config/parsing';
import type { AgentConfig } from '../config/stage-config';
import { inferenceProfileFor } from './agent';
import { nagResource } from './nag-ids';

/** The data source's parsing and what the knowledge-base role needs for it. */
export interface KnowledgeParser {
  /** `VectorIngestionConfiguration.ParsingConfiguration`; absent for the default parser. */
  readonly configuration?: bedrock.CfnDataSource.ParsingConfigurationProperty;
  /** Statements for the knowledge-base role (none for the default parser). */
  readonly statements: readonly iam.PolicyStatement[];
  /** cdk-nag acknowledgements for the role, one per wildcard these statements need. */
  readonly acknowledgements: readonly { readonly id: string; readonly reason: string }[];
}

/** Bedrock's own Data Automation project for knowledge-base parsing (owned by `aws`, per region). */
const RAG_PROJECT = 'public-rag-default';

/**
 * Text only: the extracted tables, scans and figures become chunk text. `MULTIMODAL` would also store the page
 * images, which needs a supplemental S3 location on the knowledge base, fixed at its creation.
 */
export function knowledgeParser(
  scope: Construct,
  parsing: ParsingConfig,
  inferenceGeo: AgentConfig['inferenceGeo'],
): KnowledgeParser {
  const stack = Stack.of(scope);
  switch (parsing.strategy) {
    case 'default':
      return { statements: [], acknowledgements: [] };
    case 'foundation-model': {
      const profile = inferenceProfileFor(parsing.model, inferenceGeo);
      // A cross-region profile routes to the model in several regions: InvokeModel on both.
      const modelArn = stack.formatArn({
        service: 'bedrock',
        region: '*',
        account: '',
        resource: 'foundation-model',
        resourceName: profile.inferenceProfileModel.modelId,
      });
      return {
        configuration: {
          parsingStrategy: 'BEDROCK_FOUNDATION_MODEL',
          bedrockFoundationModelConfiguration: {
            modelArn: profile.inferenceProfileArn,
            parsingPrompt: { parsingPromptText: parsing.prompt },
          },
        },
        statements: [
          new iam.PolicyStatement({
            sid: 'ParseWithModel',
            actions: ['bedrock:InvokeModel'],
            resources: [profile.inferenceProfileArn, modelArn],
          }),
        ],
        acknowledgements: [
          {
            id: `AwsSolutions-IAM5[Resource::${nagResource(scope, modelArn)}]`,
            reason:
              'The parser model is called through a cross-region inference profile, which routes to the model in ' +
              'several regions: the model ARN has region *, the model id is exact.',
          },
        ],
      };
    }
    case 'data-automation': {
      const project = stack.formatArn({
        service: 'bedrock',
        account: 'aws',
        resource: 'data-automation-project',
        resourceName: RAG_PROJECT,
      });
      // Data Automation runs through its cross-region profile (`us.data-automation-v1`, …): profile and
      // invocation ARNs are in whichever region the profile picks, in this account.
      const profiles = stack.formatArn({
        service: 'bedrock',
        region: '*',
        resource: 'data-automation-profile',
        resourceName: '*',
      });
      const invocations = stack.formatArn({
        service: 'bedrock',
        region: '*',
        resource: 'data-automation-invocation',
        resourceName: '*',
      });
      return {
        configuration: { parsingStrategy: 'BEDROCK_DATA_AUTOMATION' },
        statements: [
          new iam.PolicyStatement({
            sid: 'ParseWithDataAutomation',
            actions: ['bedrock:InvokeDataAutomationAsync'],
            resources: [project, profiles],
          }),
          new iam.PolicyStatement({
            sid: 'ParsingStatus',
            actions: ['bedrock:GetDataAutomationStatus'],
            resources: [invocations],
          }),
        ],
        acknowledgements: [
          {
            id: `AwsSolutions-IAM5[Resource::${nagResource(scope, profiles)}]`,
            reason:
              'Data Automation runs through a cross-region profile of this account whose region is chosen per ' +
              'call; the grant is limited to InvokeDataAutomationAsync on this account’s profiles.',
          },
          {
            id: `AwsSolutions-IAM5[Resource::${nagResource(scope, invocations)}]`,
            reason:
              'Each parsing job is a new invocation with a generated id in the profile’s region; the grant is ' +
              'GetDataAutomationStatus only, on this account’s invocations.',
          },
        ],
      };
    }
  }
}
