import {
  custom,
  type EnvInput,
  type EnvRecord,
  type EnvValues,
  type EnvVar,
  envRecord,
  parsedValue,
  parseProblem,
  text,
} from './env';
import type { TableName } from './tables';

/**
 * What a tool needs, as data: each tool folder's `needs.ts` declares every environment variable its handler
 * reads and where its value comes from (a table with the actions it may run, a topic, a secret, the model, a
 * setting of the stage config). `infra/constructs/tool-resources.ts` reads the descriptors and sets exactly
 * those variables and grants exactly those permissions; the handler reads the same record at cold start, and
 * `kass tool` names every variable a local run lacks. A `needs.ts` imports nothing but `contracts/`.
 */

/** DynamoDB actions a tool can be granted on a table. */
export type TableAction =
  | 'dynamodb:GetItem'
  | 'dynamodb:PutItem'
  | 'dynamodb:UpdateItem'
  | 'dynamodb:DeleteItem'
  | 'dynamodb:Query'
  | 'dynamodb:Scan'
  | 'dynamodb:ConditionCheckItem';

/** SNS topics of the stack a tool can publish to. */
export type TopicName = 'notifications';

/** A Secrets Manager secret the stack creates for the tool; the value is put by the operator. */
export interface SecretNeed {
  /** Construct id of the secret (part of its logical id: keep it stable). */
  readonly id: string;
  readonly description: string;
  /** The setting (in the tool's config section) that names the secret, when it has a fixed name. */
  readonly nameSetting?: string;
  /** The secret's first value, a JSON object (e.g. `{"token":""}` reads as "not configured"). */
  readonly initialValue: string;
  /** Why the secret has no automatic rotation (the cdk-nag acknowledgement's reason, ≥ 20 characters). */
  readonly rotation: string;
}

/** Where a tool variable's value comes from; the construct grants what the source says. */
export type ToolVarSource =
  /** Set by the house tool construct for every tool (e.g. the ToolLogs table). */
  | { readonly kind: 'house' }
  /** A table's name; the actions on the table, and Query on each named index. */
  | {
      readonly kind: 'table';
      readonly table: TableName;
      readonly actions: readonly TableAction[];
      readonly queryIndexes?: readonly string[];
    }
  /** A topic's ARN; Publish on it. */
  | { readonly kind: 'topic'; readonly topic: TopicName }
  /** A secret's ARN; GetSecretValue on it. */
  | { readonly kind: 'secret'; readonly secret: SecretNeed }
  /** The model named by a setting (its inference profile id) or the guardrail applied to it; InvokeModel. */
  | {
      readonly kind: 'model';
      readonly part: 'modelId' | 'guardrailId' | 'guardrailVersion';
      readonly setting: string;
    }
  /** A value of the tool's config section, formatted as the variable says. */
  | { readonly kind: 'setting'; readonly setting: string }
  /** The stage's policy for calls that name no caller (`refuse` on AgentCore whatever the setting). */
  | { readonly kind: 'unidentified-calls' };

/** A tool variable: how it is read and written, and where its value comes from. */
export type ToolVar<T, I, O extends boolean> = EnvVar<T, I, O> & { readonly source: ToolVarSource };

// biome-ignore lint/suspicious/noExplicitAny: the input side is contravariant; any tool variable fits here.
type AnyToolVar = ToolVar<unknown, any, boolean>;

/**
 * What a tool needs from its Lambda beyond the stage's `lambda.defaults` (e.g. a longer timeout for a tool
 * that calls a model several times per request). Checked at synth against the stage config's bounds.
 */
export interface ToolLambdaNeeds {
  readonly memoryMb?: number;
  readonly timeoutSeconds?: number;
  /**
   * A cost cap for a tool that calls models: the most calls at once, reserved only on stages that set
   * `lambda.reserveToolConcurrency` (new accounts have a Lambda quota of 10 in total, so dev leaves it off).
   */
  readonly reservedConcurrency?: number;
}

/** What the descriptor of a tool holds. */
export interface ToolNeeds<S extends Readonly<Record<string, AnyToolVar>>> {
  /** The tool's section of the stage config (`tools.<settings>`), where `setting` and `model` sources read. */
  readonly settings?: string;
  /** What the tool calls on the internet: a label and the setting holding its URL (e.g. GitLab). */
  readonly internet?: { readonly label: string; readonly urlSetting: string };
  /** Lambda settings the tool needs beyond the stage's defaults. */
  readonly lambda?: ToolLambdaNeeds;
  /** Every variable, keyed by what the handler calls it (the house variables included). */
  readonly variables: S;
  /** The handler's record: `needs.env.read()` at cold start. */
  readonly env: EnvRecord<EnvValues<S>, EnvInput<S>>;
}

/** Any tool's descriptor (what infra reads). */
export type AnyToolNeeds = ToolNeeds<Readonly<Record<string, AnyToolVar>>>;

const SOURCE_KINDS: ReadonlySet<string> = new Set([
  'house',
  'table',
  'topic',
  'secret',
  'model',
  'setting',
  'unidentified-calls',
]);

/**
 * Why `value` is not a usable descriptor (a `needs` export built with {@link toolNeeds}); empty when it is.
 * Checked where infra loads descriptors, so a hand-written one fails synth with its problem named.
 */
export function needsProblems(value: unknown): string[] {
  const needs = value as Partial<AnyToolNeeds> | undefined;
  if (typeof needs !== 'object' || needs === null || typeof needs.variables !== 'object' || !needs.env) {
    return ['must export `needs`, built with toolNeeds() from contracts/tool-needs.ts'];
  }
  const problems: string[] = [];
  for (const [key, variable] of Object.entries(needs.variables as Record<string, Partial<AnyToolVar>>)) {
    if (typeof variable?.name !== 'string' || !SOURCE_KINDS.has(String(variable.source?.kind))) {
      problems.push(`variable ${key} has no name or no known source (${[...SOURCE_KINDS].join(', ')})`);
    }
  }
  return problems;
}

/** The variables every tool has: its call log (set by the `Tools` construct). */
export const HOUSE_TOOL_VARIABLES = {
  toolLogsTable: { ...text('TOOL_LOGS_TABLE_NAME'), source: { kind: 'house' } },
} as const satisfies Readonly<Record<string, AnyToolVar>>;

/** The house variables' record (what the `Tools` construct sets, and a tool without descriptor reads). */
export const HOUSE_TOOL_ENV = envRecord(HOUSE_TOOL_VARIABLES);

/** A tool's descriptor: its own variables with the house ones, and the record its handler reads. */
export function toolNeeds<const S extends Readonly<Record<string, AnyToolVar>>>(options: {
  readonly settings?: string;
  readonly internet?: { readonly label: string; readonly urlSetting: string };
  readonly lambda?: ToolLambdaNeeds;
  readonly variables: S;
}): ToolNeeds<S & typeof HOUSE_TOOL_VARIABLES> {
  type All = S & typeof HOUSE_TOOL_VARIABLES;
  const variables = { ...HOUSE_TOOL_VARIABLES, ...options.variables } as All;
  const needs = {
    ...(options.settings ? { settings: options.settings } : {}),
    ...(options.internet ? { internet: options.internet } : {}),
    ...(options.lambda ? { lambda: options.lambda } : {}),
    variables,
    env: envRecord<All>(variables),
  };
  // The record of exactly these variables (TypeScript cannot relate the generic mapped types by itself).
  return needs as unknown as ToolNeeds<All>;
}

/** A table's name, with the actions the tool runs on it (and Query on the named indexes). */
export const tableVar = (
  name: string,
  table: TableName,
  actions: readonly TableAction[],
  queryIndexes?: readonly string[],
): ToolVar<string, string, false> => ({
  ...text(name),
  source: { kind: 'table', table, actions, ...(queryIndexes ? { queryIndexes } : {}) },
});

/** A topic's ARN; the tool publishes to it. */
export const topicVar = (name: string, topic: TopicName): ToolVar<string, string, false> => ({
  ...text(name),
  source: { kind: 'topic', topic },
});

/** A secret's ARN (never its value); the tool reads the secret at call time. */
export const secretVar = (
  variable: EnvVar<string, string, false>,
  secret: SecretNeed,
): ToolVar<string, string, false> => ({ ...variable, source: { kind: 'secret', secret } });

/** A setting of the tool's config section, read and written as `variable` says. */
export const settingVar = <T, I, O extends boolean>(
  variable: EnvVar<T, I, O>,
  setting: string,
): ToolVar<T, I, O> => ({ ...variable, source: { kind: 'setting', setting } });

/** The model a tool calls (the setting names it) and the guardrail applied to every call. */
export const modelVars = (setting: string) =>
  ({
    modelId: { ...text('MODEL_ID'), source: { kind: 'model', part: 'modelId', setting } },
    guardrailId: { ...text('GUARDRAIL_ID'), source: { kind: 'model', part: 'guardrailId', setting } },
    guardrailVersion: {
      ...text('GUARDRAIL_VERSION'),
      source: { kind: 'model', part: 'guardrailVersion', setting },
    },
  }) as const;

/** What a tool does with a call that names no caller: refuse it (403), or run it as an operator. */
export type UnidentifiedCalls = 'refuse' | 'operator';

/** The environment variable of that policy. */
export const UNIDENTIFIED_CALLS_ENV = 'UNIDENTIFIED_TOOL_CALLS';

/** `UNIDENTIFIED_TOOL_CALLS`: unset means `refuse` (the safe default, e.g. a tool run locally). */
export const unidentifiedCallsVar = (): ToolVar<UnidentifiedCalls, UnidentifiedCalls, true> => ({
  ...custom<UnidentifiedCalls, UnidentifiedCalls>(
    UNIDENTIFIED_CALLS_ENV,
    (raw) =>
      raw === 'refuse' || raw === 'operator'
        ? parsedValue(raw)
        : parseProblem(
            `Environment variable ${UNIDENTIFIED_CALLS_ENV} must be refuse or operator (got "${raw}").`,
          ),
    (value) => value,
    { fallback: 'refuse' },
  ),
  source: { kind: 'unidentified-calls' },
});

/** The policy alone (the kit's `unidentifiedCallsFromEnv`). */
export const UNIDENTIFIED_CALLS_RECORD = envRecord({ unidentifiedCalls: unidentifiedCallsVar() });
