import { isToolError, type ToolError } from '../../action-groups/kit/errors';

/** The tool error a promise rejects with (fails the test if it resolves or throws something else). */
export async function toolErrorOf(promise: Promise<unknown>): Promise<ToolError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isToolError(error)) throw new Error(`expected a tool error, got ${String(error)}`);
  return error;
}
