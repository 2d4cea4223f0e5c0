import { z } from 'zod';

/** The agent engines a stage can run on (`agent.engine`). */
export const AGENT_ENGINES = ['classic', 'agentcore'] as const;
export type AgentEngine = (typeof AGENT_ENGINES)[number];

/**
 * Harness limits (AgentCore harness operations: `maxIterations` defaults to 75 and `timeoutSeconds` to 3600).
 * KASS bounds both well below: a chat turn is a handful of tool calls, and the WebSocket worker lives at most 15
 * minutes.
 */
export const HARNESS_LIMITS = {
  maxIterations: { min: 1, max: 75 },
  timeoutSeconds: { min: 30, max: 900 },
  maxTokens: { min: 256, max: 64000 },
  /** Managed memory keeps events 3–365 days. */
  memoryDays: { min: 3, max: 365 },
} as const;

/** What a stage gets unless it says otherwise (each key separately). */
export const AGENTCORE_DEFAULTS = {
  maxIterations: 12,
  timeoutSeconds: 300,
  maxTokens: 4096,
  clientSideTools: 'writes',
} as const;

export const AgentCoreConfigSchema = z.strictObject({
  /** Model calls (and tool rounds) one invocation may take before it stops with `max_iterations_exceeded`. */
  maxIterations: z
    .number()
    .int()
    .min(HARNESS_LIMITS.maxIterations.min)
    .max(HARNESS_LIMITS.maxIterations.max, `must be at most ${HARNESS_LIMITS.maxIterations.max}`)
    .default(AGENTCORE_DEFAULTS.maxIterations),
  /** Seconds one invocation may run before it stops with `timeout_exceeded`. */
  timeoutSeconds: z
    .number()
    .int()
    .min(HARNESS_LIMITS.timeoutSeconds.min, `must be at least ${HARNESS_LIMITS.timeoutSeconds.min}`)
    .max(
      HARNESS_LIMITS.timeoutSeconds.max,
      `must be at most ${HARNESS_LIMITS.timeoutSeconds.max} (the longest chat turn the WebSocket worker can wait for)`,
    )
    .default(AGENTCORE_DEFAULTS.timeoutSeconds),
  /** Output tokens per model call. */
  maxTokens: z
    .number()
    .int()
    .min(HARNESS_LIMITS.maxTokens.min)
    .max(HARNESS_LIMITS.maxTokens.max)
    .default(AGENTCORE_DEFAULTS.maxTokens),
  /**
   * Which tools run outside the gateway, as inline functions the chat API runs itself: `writes` (every operation
   * with `x-requireConfirmation: ENABLED`, so it runs only after the user confirms) or `all` (every operation;
   * the fallback if the gateway cannot carry the caller's identity in your account, see README).
   */
  clientSideTools: z.enum(['writes', 'all']).default(AGENTCORE_DEFAULTS.clientSideTools),
});

export type AgentCoreConfig = z.infer<typeof AgentCoreConfigSchema>;
