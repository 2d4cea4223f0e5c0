import type { TableName } from './tables';
import type { HOUSE_TOOL_VARIABLES, ToolVarSource, TopicName } from './tool-needs';

/**
 * Where a deployed stage publishes each tool variable's value, so that `kass tool --stage <name>` and
 * `kass chat --local-tools` give a local run the environment the tool's Lambda has. A stack-wide resource
 * (a table, a topic, the guardrail) has one output of its own; a value that belongs to one tool (a setting,
 * the model's inference profile, a secret's ARN) travels in that tool's environment output, a JSON object of
 * variable name → value that `ToolResources` writes. Infra and the CLI both derive the keys here.
 */

const pascal = (name: string): string =>
  name
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part !== '')
    .map((part) => `${part[0]?.toUpperCase()}${part.slice(1)}`)
    .join('');

/** The output holding a table's name: `tickets` → `TicketsTableName`. */
export const tableOutputOf = (table: TableName): string => `${pascal(table)}TableName`;

/** The output holding a topic's ARN: `notifications` → `NotificationsTopicArn`. */
export const topicOutputOf = (topic: TopicName): string => `${pascal(topic)}TopicArn`;

/** The output of one tool's own values (JSON): `code-review` → `CodeReviewToolEnvironment`. */
export const toolEnvironmentOutputOf = (tool: string): string => `${pascal(tool)}ToolEnvironment`;

/** Where a variable's value is published by a deployed stage. */
export type ToolVarOutput =
  /** A stack output of its own holds the value. */
  | { readonly kind: 'output'; readonly key: string }
  /** The tool's environment output holds it under the variable's name. */
  | { readonly kind: 'tool-environment' }
  /** Not published: the policy for calls without a caller is the local run's own (operator, see the CLI). */
  | { readonly kind: 'local-policy' };

/** The one house variable is the ToolLogs table's name: a second one needs its own case below. */
const ONLY_HOUSE_VARIABLE: keyof typeof HOUSE_TOOL_VARIABLES extends 'toolLogsTable' ? true : never = true;

/** Where `source` (a variable of a tool's descriptor) is published; `house` is the ToolLogs table. */
export function toolVarOutputOf(source: ToolVarSource): ToolVarOutput {
  switch (source.kind) {
    case 'house':
      void ONLY_HOUSE_VARIABLE;
      return { kind: 'output', key: tableOutputOf('toolLogs') };
    case 'table':
      return { kind: 'output', key: tableOutputOf(source.table) };
    case 'topic':
      return { kind: 'output', key: topicOutputOf(source.topic) };
    case 'model':
      if (source.part === 'guardrailId') return { kind: 'output', key: 'GuardrailId' };
      if (source.part === 'guardrailVersion') return { kind: 'output', key: 'GuardrailVersion' };
      return { kind: 'tool-environment' };
    case 'secret':
    case 'setting':
      return { kind: 'tool-environment' };
    case 'unidentified-calls':
      return { kind: 'local-policy' };
  }
}
