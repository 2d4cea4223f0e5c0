import { requireEnv } from '../kit/env';
import { modelSettingsFromEnv } from '../shared/model-env';
import type { GuardrailRef } from '../shared/text-model';
import { ProjectAllowlist } from './project-ref';

/** What the code-review Lambda is deployed with (from `tools.codeReview` in the stage config). */
export interface CodeReviewConfig {
  readonly gitlabBaseUrl: string;
  readonly allowlist: ProjectAllowlist;
  /** ARN of the secret holding the token; the token itself is read at call time. */
  readonly tokenSecretArn: string;
  readonly maxDiffChars: number;
  readonly modelId: string;
  readonly guardrail: GuardrailRef;
}

/** Same bounds as `tools.codeReview.maxDiffChars` in the stage config. */
const MIN_DIFF_CHARS = 1_000;
const MAX_DIFF_CHARS = 400_000;
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+$/;

/**
 * A comma-separated list variable. It must be set, but may be empty (an empty allowlist is a valid
 * deployment in which every review is refused with a message for the operator).
 */
export function readListEnv(name: string): string[] {
  const value = process.env[name];
  if (value === undefined) {
    throw new Error(
      `Missing environment variable ${name}: the function cannot start without it (it may be empty). Set it in the function's construct.`,
    );
  }
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

/**
 * Reads and checks the environment once, at cold start; a mistake fails the cold start naming the variable.
 * Messages never echo GITLAB_TOKEN_SECRET_ARN's value: if a token was pasted there by mistake, it must not
 * reach the logs.
 */
export function codeReviewConfigFromEnv(): CodeReviewConfig {
  const tokenSecretArn = requireEnv('GITLAB_TOKEN_SECRET_ARN').trim();
  if (!SECRET_ARN.test(tokenSecretArn)) {
    throw new Error(
      'GITLAB_TOKEN_SECRET_ARN must be the ARN of a Secrets Manager secret (arn:aws:secretsmanager:…); it must never hold the token itself.',
    );
  }
  const maxDiffText = requireEnv('MAX_DIFF_CHARS').trim();
  const maxDiffChars = Number(maxDiffText);
  if (!/^\d+$/.test(maxDiffText) || maxDiffChars < MIN_DIFF_CHARS || maxDiffChars > MAX_DIFF_CHARS) {
    throw new Error(`MAX_DIFF_CHARS must be a whole number from ${MIN_DIFF_CHARS} to ${MAX_DIFF_CHARS}.`);
  }
  const model = modelSettingsFromEnv();
  return {
    gitlabBaseUrl: requireEnv('GITLAB_BASE_URL').trim(),
    allowlist: ProjectAllowlist.of(readListEnv('GITLAB_PROJECT_ALLOWLIST')),
    tokenSecretArn,
    maxDiffChars,
    modelId: model.modelId,
    guardrail: model.guardrail,
  };
}
