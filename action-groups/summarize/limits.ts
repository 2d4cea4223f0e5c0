/**
 * Size limits of the summarize tool, in one place.
 *
 * Budgets are counted in characters of transcript data (what goes between the data markers of one model
 * call); the fixed instructions around it are small and not counted. About 4 characters make one token for
 * English text, so 400 000 characters are about 100 000 input tokens: half the 200 000-token window of the
 * current Claude models, which leaves room for the instructions, the answer and text that tokenizes worse
 * than English (code, logs, other scripts). Lower it if a smaller model is configured.
 */
export const CHAR_BUDGET = 400_000;

/**
 * Most chunks summarized for one request. A longer conversation is summarized from its most recent part
 * and the result says so (`truncated`). Each chunk is one model call and the Lambda has a timeout (30 s in
 * dev, 60 s in prod), so this bounds both the cost and the latency of a single tool call.
 */
export const MAX_CHUNKS = 8;

/** Chunk summaries requested from the model at the same time (bounded to stay below the account's TPM quota). */
export const MAP_CONCURRENCY = 4;

/** Longest summary returned when the model's answer was not the requested JSON and its text is used instead. */
export const MAX_FALLBACK_SUMMARY_CHARS = 4_000;

/** Most action items returned (the schema does not bound them; the body is injected into the agent's prompt). */
export const MAX_ACTION_ITEMS = 20;

/** Longest single key point or action item kept. */
export const MAX_ITEM_CHARS = 500;
