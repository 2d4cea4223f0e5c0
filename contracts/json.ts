/**
 * Guards for values of unknown shape (parsed JSON, SDK errors, Lambda events). Written once; every layer
 * imports them from here.
 */

/** A plain object (not null, not an array). */
export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `value[key]` when `value` is an object (arrays and errors included), else undefined. Never throws on shape. */
export const fieldOf = (value: unknown, key: string): unknown =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;

/** `value[key]` when it is a string, else undefined. */
export const stringFieldOf = (value: unknown, key: string): string | undefined => {
  const field = fieldOf(value, key);
  return typeof field === 'string' ? field : undefined;
};
