import { ToolError, type ToolErrorOptions } from '../kit/errors';

/**
 * 403: the project is not on the operator's allowlist (or the allowlist is empty). The model should tell the
 * user, not retry with guessed project names; only an operator can change the list.
 */
export class ProjectNotAllowed extends ToolError {
  readonly status = 403;
  constructor(message: string, options?: ToolErrorOptions) {
    super(message, options);
  }
}
