/** Options of {@link mapBounded}. */
export interface BoundedOptions<R> {
  /** Stop taking new items once it aborts (the calls in flight still settle). */
  readonly signal?: AbortSignal;
  /** Sees each result as it arrives (progress output). */
  readonly onResult?: (result: R, index: number) => void;
}

/**
 * `Promise.all(items.map(fn))` with at most `limit` calls in flight, started in the order of `items`; the
 * results keep that order. After the first failure (or once `signal` aborts) no new call starts; the calls in
 * flight settle, then the first failure is thrown. Items never started leave holes in the result.
 */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
  options: BoundedOptions<R> = {},
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (!failure && !options.signal?.aborted && next < items.length) {
      const index = next++;
      try {
        const result = await fn(items[index] as T, index);
        results[index] = result;
        options.onResult?.(result, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  const workers = Math.max(1, Math.min(limit, items.length));
  await Promise.all(Array.from({ length: workers }, worker));
  if (failure) throw failure.error;
  return results;
}
