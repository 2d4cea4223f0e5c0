import { KASS_EXTENSION_PREFIX } from '../openapi/document';
import { WRITE_METHODS } from '../openapi/operations';
import { type Finding, findingAt, type SchemaRule } from './finding';
import { eachOperation, operationLabel } from './walk';

const RULE = 'require-confirmation-on-writes';

/** Bedrock's per-operation switch: `ENABLED` makes the agent ask the user before calling the tool. */
export const CONFIRMATION_KEY = 'x-requireConfirmation';

/**
 * KASS vendor extension: `x-kass-readOnly: true` documents that a POST changes nothing (it only computes,
 * e.g. summarizes text sent in the body). Only such a POST may opt out of confirmation, and only explicitly
 * with `x-requireConfirmation: DISABLED`.
 */
export const READ_ONLY_KEY = `${KASS_EXTENSION_PREFIX}readOnly`;

/**
 * Writes (POST, PUT, PATCH, DELETE) must have `x-requireConfirmation: ENABLED` (security checklist item 23).
 * The value, wherever it is set, must be `ENABLED` or `DISABLED`. Exception: a POST marked
 * `x-kass-readOnly: true` may set `x-requireConfirmation: DISABLED` explicitly.
 */
export const requireConfirmationOnWrites: SchemaRule = (source) => {
  const findings: Finding[] = [];
  for (const operation of eachOperation(source.document)) {
    const { op, pointer, method } = operation;
    const label = operationLabel(operation);
    const confirmation = op[CONFIRMATION_KEY];
    const readOnly = op[READ_ONLY_KEY];
    const at = [...pointer, CONFIRMATION_KEY];
    if (readOnly !== undefined && typeof readOnly !== 'boolean') {
      findings.push(
        findingAt(
          RULE,
          source,
          [...pointer, READ_ONLY_KEY],
          `${READ_ONLY_KEY} of ${label} must be true or false (unquoted)`,
        ),
      );
    }
    if (confirmation !== undefined && confirmation !== 'ENABLED' && confirmation !== 'DISABLED') {
      findings.push(
        findingAt(
          RULE,
          source,
          at,
          `${CONFIRMATION_KEY} of ${label} is '${String(confirmation)}'; Bedrock accepts only ENABLED or DISABLED (uppercase)`,
        ),
      );
      continue;
    }
    if (!WRITE_METHODS.includes(method) || confirmation === 'ENABLED') continue;
    if (confirmation === 'DISABLED' && readOnly === true && method === 'POST') continue;
    const message =
      confirmation === undefined && readOnly === true && method === 'POST'
        ? `${label} is marked ${READ_ONLY_KEY}: true but does not opt out of confirmation explicitly; add ${CONFIRMATION_KEY}: DISABLED (or ENABLED to keep asking the user)`
        : readOnly === true && method !== 'POST'
          ? `${label} changes data (${method} is always a write, ${READ_ONLY_KEY} applies only to POST); set ${CONFIRMATION_KEY}: ENABLED so the agent asks the user first`
          : `${label} changes data; set ${CONFIRMATION_KEY}: ENABLED so the agent asks the user first ` +
            `(a POST that changes nothing may instead set ${READ_ONLY_KEY}: true and ${CONFIRMATION_KEY}: DISABLED)`;
    findings.push(findingAt(RULE, source, confirmation === undefined ? pointer : at, message));
  }
  return findings;
};
