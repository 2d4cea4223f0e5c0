/**
 * Test resources that live across hooks (servers, local databases): each helper registers the Jest hooks
 * where it is called (a file or a `describe` block, ahead of that block's own hooks) and returns an object
 * that stands for the resource of the running test, so a test reads it like a plain variable.
 */

/** An object whose properties are read from `current()` at the time of each access (methods bound to it). */
function standIn<T extends object>(current: () => T): T {
  return new Proxy({} as T, {
    get: (_target, key) => {
      const resource = current();
      const value: unknown = Reflect.get(resource, key);
      return typeof value === 'function' ? value.bind(resource) : value;
    },
  });
}

type Hook = (fn: () => Promise<void>) => void;

/** Starts the resource in the `setUp` hook and stops it in `tearDown`; returns a getter for it. */
function managed<T extends object>(
  setUp: Hook,
  tearDown: Hook,
  start: () => Promise<T>,
  stop: (resource: T) => Promise<void>,
): () => T {
  let resource: T | undefined;
  setUp(async () => {
    resource = await start();
  });
  tearDown(async () => {
    const started = resource;
    resource = undefined;
    if (started) await stop(started);
  });
  return () => {
    if (!resource) throw new Error('The resource is there only while its tests run');
    return resource;
  };
}

/** A fresh resource for each test: `start` in `beforeEach`, `stop` in `afterEach`. */
export const perTest = <T extends object>(start: () => Promise<T>, stop: (resource: T) => Promise<void>): T =>
  standIn(managed(beforeEach, afterEach, start, stop));

/**
 * One resource for all the tests of the block: `start` in `beforeAll`, `stop` in `afterAll`, and `reset`
 * (if given) in `beforeEach`.
 */
export function perSuite<T extends object>(
  start: () => Promise<T>,
  stop: (resource: T) => Promise<void>,
  reset?: (resource: T) => Promise<void> | void,
): T {
  const current = managed(beforeAll, afterAll, start, stop);
  if (reset)
    beforeEach(async () => {
      await reset(current());
    });
  return standIn(current);
}
