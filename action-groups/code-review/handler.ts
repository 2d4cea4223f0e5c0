import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { ConverseTextModel } from '../shared/text-model';
import { toolCallLogFromEnv } from '../shared/tool-call-log';
import { createCodeReviewTool } from './code-review-tool';
import { codeReviewConfigFromEnv } from './config';
import { GitLabMergeRequestSource } from './gitlab-client';
import { SecretsManagerTokenSource } from './token-source';

// Cold start: read and check the environment, build the clients once.
const config = codeReviewConfigFromEnv();
const bedrock = new BedrockRuntimeClient({});

export const handler = createCodeReviewTool(
  {
    source: new GitLabMergeRequestSource({
      baseUrl: config.gitlabBaseUrl,
      allowlist: config.allowlist,
      token: new SecretsManagerTokenSource(config.tokenSecretArn),
    }),
    model: new ConverseTextModel(bedrock, config.modelId, config.guardrail),
    settings: { maxDiffChars: config.maxDiffChars },
  },
  { recorder: toolCallLogFromEnv() },
);
