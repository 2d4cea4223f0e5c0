/**
 * `create()` on the first call, the same value on every later call: a handler's dependencies are built once
 * per execution environment, on its first invocation (a missing variable fails that invocation, naming it).
 */
export function once<T>(create: () => T): () => T {
  let built: { value: T } | undefined;
  return () => {
    built ??= { value: create() };
    return built.value;
  };
}
