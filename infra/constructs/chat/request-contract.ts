/**
 * Request contract shared with the Lambdas (`functions/shared/requests.ts` repeats these patterns for zod;
 * tests/infra/chat-api.test.ts checks that both agree). The conversation id is the agent's session id, so it
 * follows InvokeAgent's `sessionId` rule.
 */
export const CONVERSATION_ID_PATTERN = '^[0-9a-zA-Z._:-]{2,100}$';
/** An app's own end-user id, namespaced under its API key (see `functions/shared/owner.ts`). */
export const USER_ID_PATTERN = '^[0-9A-Za-z._@:-]{1,128}$';
/** A tool confirmation's id (a UUID the chat functions make; see `functions/shared/confirmations.ts`). */
export const CONFIRMATION_ID_PATTERN = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
