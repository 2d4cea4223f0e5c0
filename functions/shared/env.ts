import { requireEnv } from '../../action-groups/kit/env';

export { requireEnv };

/** A required whole-number variable (e.g. `AGENT_DEADLINE_SECONDS`); fails the cold start when malformed. */
export function intEnv(name: string): number {
  const raw = requireEnv(name);
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`Environment variable ${name} must be a positive whole number (got "${raw}")`);
  }
  return value;
}

/** A comma-separated list (empty entries dropped); an unset variable is an empty list. */
export function listEnv(name: string): string[] {
  return (process.env[name] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** A required variable that must be one of `choices` (e.g. `CHAT_CONFIRMATIONS`); fails the cold start otherwise. */
export function choiceEnv<const T extends string>(name: string, choices: readonly T[]): T {
  const raw = requireEnv(name);
  if (!(choices as readonly string[]).includes(raw)) {
    throw new Error(`Environment variable ${name} must be one of ${choices.join(', ')} (got "${raw}")`);
  }
  return raw as T;
}
