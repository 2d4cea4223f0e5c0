import { custom, parsedValue, parseProblem, requiredList, text } from '../../contracts/env';
import { modelVars, secretVar, settingVar, toolNeeds } from '../../contracts/tool-needs';

/** Same bounds as `tools.codeReview.maxDiffChars` in the stage config. */
const DIFF_CHARS = { min: 1_000, max: 400_000 } as const;
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+$/;

/**
 * What the code-review tool needs (`tools.codeReview` in the stage config): GitLab's URL and the projects it
 * may review, the secret holding the token (its ARN only: the token is read at call time), the diff budget
 * and the model, with the guardrail. The problems never echo GITLAB_TOKEN_SECRET_ARN's value: if a token was
 * pasted there by mistake, it must not reach the logs.
 */
export const needs = toolNeeds({
  settings: 'codeReview',
  internet: { label: 'GitLab', urlSetting: 'gitlabBaseUrl' },
  // Chunked reviews make several model calls per request; each call costs tokens, hence the cap.
  lambda: { timeoutSeconds: 180, reservedConcurrency: 5 },
  variables: {
    gitlabBaseUrl: settingVar(text('GITLAB_BASE_URL'), 'gitlabBaseUrl'),
    /** May be empty: every review is then refused with a message for the operator. */
    projectAllowlist: settingVar(requiredList('GITLAB_PROJECT_ALLOWLIST'), 'projectAllowlist'),
    tokenSecretArn: secretVar(
      custom(
        'GITLAB_TOKEN_SECRET_ARN',
        (raw) =>
          SECRET_ARN.test(raw.trim())
            ? parsedValue(raw.trim())
            : parseProblem(
                'GITLAB_TOKEN_SECRET_ARN must be the ARN of a Secrets Manager secret (arn:aws:secretsmanager:…); it must never hold the token itself.',
              ),
        (arn: string) => arn,
      ),
      {
        id: 'GitLabToken',
        description:
          'GitLab access token for the KASS code-review tool (read_api; api only if posting notes).',
        nameSetting: 'tokenSecretName',
        // An empty `token` reads as "not configured" (a clear message, no GitLab call) until the operator
        // stores the real one: aws secretsmanager put-secret-value --secret-id <name> --secret-string '{"token":"glpat-…"}'
        initialValue: '{"token":""}',
        rotation:
          'GitLab tokens are rotated in GitLab (max lifetime 365 days) and then stored here; the README runbook covers it.',
      },
    ),
    maxDiffChars: settingVar(
      custom(
        'MAX_DIFF_CHARS',
        (raw) => {
          const value = Number(raw.trim());
          return /^\d+$/.test(raw.trim()) && value >= DIFF_CHARS.min && value <= DIFF_CHARS.max
            ? parsedValue(value)
            : parseProblem(
                `MAX_DIFF_CHARS must be a whole number from ${DIFF_CHARS.min} to ${DIFF_CHARS.max}.`,
              );
        },
        (value: number) => String(value),
      ),
      'maxDiffChars',
    ),
    ...modelVars('model'),
  },
});
