import type { z } from 'zod';

/** Bad configuration: the message names the source, the key and the reason, so synth output says what to fix. */
export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`Invalid ${source}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Formats zod issues as `key.path: reason` lines (the key path is what a user searches for in the file). */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const key = issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
    return `${key}: ${issue.message}`;
  });
}

/** Parses `value` with `schema` or throws a ConfigError naming every bad key. */
export function parseOrThrow<T extends z.ZodType>(schema: T, value: unknown, source: string): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ConfigError(source, describeIssues(result.error));
  return result.data;
}
