import {
  ApplyGuardrailCommand,
  type ApplyGuardrailResponse,
  type BedrockRuntimeClient,
} from '@aws-sdk/client-bedrock-runtime';

/** A guardrail and its numbered version (never DRAFT in a deployed stack). */
export interface GuardrailRef {
  readonly guardrailId: string;
  readonly guardrailVersion: string;
}

/** What the guardrail made of a text. */
export interface GuardrailVerdict {
  /** A policy blocked the text: show `text` (the guardrail's blocked message) instead. */
  readonly blocked: boolean;
  /** The guardrail intervened (blocked, or masked PII). */
  readonly intervened: boolean;
  /** The text to use: the original, the masked text, or the blocked message. */
  readonly text: string;
}

/** Applies the guardrail to one text (`INPUT`: what the user sent; `OUTPUT`: what the model answered). */
export type GuardrailCheck = (source: 'INPUT' | 'OUTPUT', text: string) => Promise<GuardrailVerdict>;

/** Whether any assessment in the response has a policy action BLOCKED (masking alone is ANONYMIZED). */
function anyBlocked(value: unknown, depth = 0): boolean {
  if (depth > 12 || typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return value.some((v) => anyBlocked(v, depth + 1));
  const record = value as Record<string, unknown>;
  if (record.action === 'BLOCKED') return true;
  return Object.values(record).some((v) => anyBlocked(v, depth + 1));
}

/**
 * The verdict of an ApplyGuardrail response for `text`. An intervention whose every finding only masked (PII
 * ANONYMIZED) is not a block: the masked output replaces the text, as the Classic agent's guardrail does.
 */
export function verdictOf(
  response: Pick<ApplyGuardrailResponse, 'action' | 'outputs' | 'assessments'>,
  text: string,
): GuardrailVerdict {
  if (response.action !== 'GUARDRAIL_INTERVENED') return { blocked: false, intervened: false, text };
  const output = (response.outputs ?? []).map((o) => o.text ?? '').join('');
  const blocked = anyBlocked(response.assessments) || output === '';
  return { blocked, intervened: true, text: output || text };
}

/** ApplyGuardrail with the given numbered guardrail (`bedrock:ApplyGuardrail` on that guardrail). */
export function bedrockGuardrail(client: BedrockRuntimeClient, ref: GuardrailRef): GuardrailCheck {
  return async (source, text) => {
    const response = await client.send(
      new ApplyGuardrailCommand({
        guardrailIdentifier: ref.guardrailId,
        guardrailVersion: ref.guardrailVersion,
        source,
        content: [{ text: { text } }],
      }),
    );
    return verdictOf(response, text);
  };
}
