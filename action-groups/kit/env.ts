/**
 * Reads a required environment variable. Call it at module scope so a missing variable fails the cold start
 * with a message naming it, instead of failing later inside a tool call.
 */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value.trim() === '') {
    throw new Error(
      `Missing environment variable ${name}: the function cannot start without it. Set it in the function's construct.`,
    );
  }
  return value;
}
