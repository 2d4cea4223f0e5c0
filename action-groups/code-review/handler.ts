import { bedrockRuntimeClient } from '../shared/clients';
import { ConverseTextModel } from '../shared/text-model';
import { toolCallLog } from '../shared/tool-call-log';
import { GitLabMergeRequestSource } from './gitlab-client';
import { needs } from './needs';
import { ProjectAllowlist } from './project-ref';
import { SecretsManagerTokenSource } from './token-source';
import { createCodeReviewTool } from './tool';

// Cold start: the whole environment (`needs.ts`) read at once, a missing or malformed variable fails the start
// naming every one; clients once per container.
const env = needs.env.read();

/** Lambda entry of the code-review action group (reviewMergeRequest, postReviewComment). */
export const handler = createCodeReviewTool(
  {
    source: new GitLabMergeRequestSource({
      baseUrl: env.gitlabBaseUrl.trim(),
      allowlist: ProjectAllowlist.of(env.projectAllowlist),
      token: new SecretsManagerTokenSource(env.tokenSecretArn),
    }),
    model: new ConverseTextModel(bedrockRuntimeClient(), env.modelId, {
      id: env.guardrailId,
      version: env.guardrailVersion,
    }),
    settings: { maxDiffChars: env.maxDiffChars },
  },
  { recorder: toolCallLog(env.toolLogsTable) },
);
