import type { GuardrailCheck } from '../../client/guardrail';

/**
 * The harness `beforeInvocation` hook: the guardrail checks what the user sent before the agent starts, like the
 * Classic agent's guardrail on input. The hook can only allow or deny (a deny ends the invocation with
 * `stopReason: hook_stopped`), so a block denies with the guardrail's blocked message as the reason, and masking
 * alone (PII ANONYMIZED) allows: the harness cannot take a rewritten message. Any failure denies (fail closed).
 */

/** What a blocking Lambda hook answers. */
export interface HookDecision {
  readonly decision: 'allow' | 'deny';
  readonly reason?: string;
}

/** Longest reason the harness keeps (HarnessHookEvent.reason: 0–1024). */
const MAX_REASON = 1024;

/** Most text checked per invocation (ApplyGuardrail bills per 1000 characters; chat messages are far shorter). */
export const MAX_CHECKED_CHARS = 100_000;

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The `messages` of a hook event: at the top level, or under `context`, `detail` or `event` (the payload is
 * documented as "the ordered messages supplied in the current InvokeHarness request").
 */
function messagesOf(event: unknown): unknown[] | undefined {
  if (!isRecord(event)) return undefined;
  for (const candidate of [event, event.context, event.detail, event.event]) {
    if (isRecord(candidate) && Array.isArray(candidate.messages)) return candidate.messages;
  }
  return undefined;
}

/** The text the user sent in this invocation (text blocks of user messages; tool results are not user text). */
export function userTextOf(event: unknown): string | undefined {
  const messages = messagesOf(event);
  if (!messages) return undefined;
  const parts: string[] = [];
  for (const message of messages) {
    if (!isRecord(message) || message.role !== 'user' || !Array.isArray(message.content)) continue;
    for (const block of message.content) {
      if (isRecord(block) && typeof block.text === 'string') parts.push(block.text);
    }
  }
  return parts.join('\n');
}

/** Decides one hook event. Never throws. */
export async function decide(
  event: unknown,
  check: GuardrailCheck,
  onError: (error: unknown) => void = () => undefined,
): Promise<HookDecision> {
  const text = userTextOf(event);
  if (text === undefined) {
    onError(new Error('hook event without messages'));
    return { decision: 'deny', reason: 'The request could not be checked.' };
  }
  // Tool results only (the answer to a confirmed tool call): nothing the user typed to check.
  if (text.trim() === '') return { decision: 'allow' };
  try {
    const verdict = await check('INPUT', text.slice(0, MAX_CHECKED_CHARS));
    return verdict.blocked
      ? { decision: 'deny', reason: verdict.text.slice(0, MAX_REASON) }
      : { decision: 'allow' };
  } catch (error) {
    onError(error);
    return { decision: 'deny', reason: 'The request could not be checked. Try again later.' };
  }
}
