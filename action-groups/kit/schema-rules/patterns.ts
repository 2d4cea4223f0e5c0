/**
 * Name patterns and limits Bedrock enforces on action groups (bedrock-agent-contract.md §4.1, §4.4).
 * Shared by the rules and their property tests.
 */

/**
 * Bedrock API model `Name` (agent, alias, action group, function and parameter names):
 * `([0-9a-zA-Z][_-]?){1,100}`. Starts alphanumeric, no spaces, no consecutive `_`/`-`, at most 100 alphanumerics.
 */
export const NAME_PATTERN = /^(?:[0-9a-zA-Z][_-]?){1,100}$/;

/**
 * `operationId`: "simple alphanumeric pattern with only hyphens or underscores as separators". Alphanumeric
 * runs joined by single `-` or `_`; no leading, trailing or doubled separator (so never `__`, which would break
 * the `verb__group__operationId` tool name).
 */
export const OPERATION_ID_PATTERN = /^[0-9a-zA-Z]+(?:[-_][0-9a-zA-Z]+)*$/;

/** Claude tool names, which Bedrock builds as `verb__group__operationId`. */
export const TOOL_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;
export const MAX_TOOL_NAME_LENGTH = 64;

/** "up to 11" API operations per action group. */
export const MAX_OPERATIONS = 11;

/** Operation (function) description: 1–1200 characters; parameter description: 1–500. */
export const MAX_OPERATION_DESCRIPTION = 1200;
export const MAX_PARAMETER_DESCRIPTION = 500;

/** Schema types of the OpenAPI 3.0 subset Bedrock accepts. */
export const SCHEMA_TYPES = ['string', 'number', 'integer', 'boolean', 'array', 'object'] as const;

/** Types a path, query or header parameter may have: Bedrock passes each value as one string. */
export const PARAMETER_TYPES = ['string', 'number', 'integer', 'boolean', 'array'] as const;

/** Where a parameter may be; Bedrock sends all of them in the event's `parameters`. */
export const PARAMETER_LOCATIONS = ['path', 'query', 'header'] as const;

/** Whether `name` is a valid Bedrock name (action group, parameter). */
export const isValidName = (name: string): boolean => NAME_PATTERN.test(name);

/** Whether `operationId` is a valid Bedrock operationId. */
export const isValidOperationId = (operationId: string): boolean => OPERATION_ID_PATTERN.test(operationId);

/**
 * AgentCore gateway target names (the action-group name is the target name): `([0-9a-zA-Z][-]?){1,100}`, so
 * letters, digits and single dashes, no underscores (the CloudFormation schema and the CDK construct agree).
 */
export const GATEWAY_TARGET_NAME_PATTERN = /^(?:[0-9a-zA-Z]-?){1,100}$/;

/** The gateway joins target and tool as `<target>___<tool>`; the model sees that name. */
export const GATEWAY_TOOL_SEPARATOR = '___';

/** The name the model sees must be a valid model tool name (the Bedrock Converse rule Claude tools follow). */
export const GATEWAY_TOOL_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;
export const MAX_GATEWAY_TOOL_NAME_LENGTH = 64;

/**
 * Tools one gateway may carry, all schema files together. AgentCore publishes no per-gateway tool quota, but every
 * tool definition is sent with every model call (tokens and latency on each one), so KASS caps the total here.
 */
export const MAX_GATEWAY_TOOLS = 60;

/** The name the model sees for an operation behind the gateway. */
export const gatewayToolNameOf = (group: string, operationId: string): string =>
  `${group}${GATEWAY_TOOL_SEPARATOR}${operationId}`;
