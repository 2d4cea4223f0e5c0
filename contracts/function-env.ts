import {
  choice,
  custom,
  envRecord,
  envVariants,
  flag,
  int,
  list,
  mergeEnv,
  optionalText,
  parsedValue,
  parseProblem,
  text,
} from './env';
import { isRecord } from './json';
import { VECTOR_STORE_ENV, VECTOR_STORES } from './vector-stores';

/**
 * The environment of every KASS Lambda, one typed record per function, composed from the groups of variables
 * that several functions share. The constructs set each group from its record (`…environment({…})`), the
 * handlers read their function's whole record at once (`…read()`); a test checks every synthesized function
 * against its record. The tools' own variables are in each tool's `needs.ts`.
 */

/** Set by the house construct (`KassFunction`) on every function; read by the Powertools setup. */
export const LAMBDA_ENV = envRecord({
  nodeOptions: optionalText('NODE_OPTIONS'),
  serviceName: optionalText('POWERTOOLS_SERVICE_NAME'),
  metricsNamespace: optionalText('POWERTOOLS_METRICS_NAMESPACE'),
  logLevel: optionalText('POWERTOOLS_LOG_LEVEL'),
});

/** Browser origins allowed by CORS (REST functions). */
export const CORS_ENV = envRecord({ allowedOrigins: list('ALLOWED_ORIGINS') });

/** Who the operators are: Cognito groups and owner strings (every function that derives callers). */
export const OPERATORS_ENV = envRecord({
  operatorGroups: list('OPERATOR_GROUPS'),
  operatorUserIds: list('OPERATOR_USER_IDS'),
});

const API_KEY_APPS_PROBLEM =
  'Environment variable API_KEY_APPS must be a JSON object of API key id → app name';
const APP_NAME = /^[a-z][a-z0-9-]{1,31}$/;

/** `API_KEY_APPS`: a JSON object of API key id → app name (built at synth from `chatApi.apiKeys`). */
export function parseApiKeyApps(raw: string) {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return parseProblem(API_KEY_APPS_PROBLEM);
  }
  if (!isRecord(value)) return parseProblem(API_KEY_APPS_PROBLEM);
  const out: Record<string, string> = {};
  for (const [id, app] of Object.entries(value)) {
    if (typeof app !== 'string' || !APP_NAME.test(app)) {
      return parseProblem(
        `Environment variable API_KEY_APPS: key ${id} must name an app (got ${JSON.stringify(app)})`,
      );
    }
    out[id] = app;
  }
  return parsedValue(out);
}

/** The API key id → app map (added once the keys exist); unset means no key names an app. */
export const API_KEY_APPS_ENV = envRecord({
  apiKeyApps: custom<Readonly<Record<string, string>>, string>(
    'API_KEY_APPS',
    parseApiKeyApps,
    (json) => json,
    {
      fallback: {},
    },
  ),
});

/** Everything a function needs to turn authentication into a caller. */
export const IDENTITY_ENV = mergeEnv(OPERATORS_ENV, API_KEY_APPS_ENV);

/** The agent engines a stage can run on (`AGENT_ENGINE`; unset means Classic, as stacks before AgentCore). */
export const ENGINES = ['classic', 'agentcore'] as const;
export type Engine = (typeof ENGINES)[number];

/** The identity key's ARN (AgentCore): chat functions sign with it, tools verify with it. */
export const IDENTITY_KEY_ENV = 'IDENTITY_KEY_ARN';

/**
 * The identity key on AgentCore: chat functions sign the caller's identity with it, tools verify gateway calls'
 * assertions with it (unset on Classic: gateway calls then carry no identity).
 */
export const GATEWAY_IDENTITY_ENV = envRecord({ identityKeyArn: optionalText(IDENTITY_KEY_ENV) });

/** How every agent-calling function reaches the agent: an alias (Classic) or a harness endpoint (AgentCore). */
export const AGENT_ENV = envVariants(
  'engine',
  choice('AGENT_ENGINE', ENGINES, 'classic'),
  {
    classic: envRecord({
      agentId: text('AGENT_ID'),
      agentAliasId: text('AGENT_ALIAS_ID'),
      memory: flag('AGENT_MEMORY'),
    }),
    agentcore: envRecord({
      harnessArn: text('HARNESS_ARN'),
      harnessQualifier: text('HARNESS_QUALIFIER'),
      memory: flag('AGENT_MEMORY'),
      outputGuardrailId: text('OUTPUT_GUARDRAIL_ID'),
      outputGuardrailVersion: text('OUTPUT_GUARDRAIL_VERSION'),
      /** The inline-function Lambdas and read-only operations (`client/client-tools.ts`), as JSON. */
      clientTools: text('CLIENT_TOOLS'),
      identityKeyArn: text(IDENTITY_KEY_ENV),
    }),
  },
  // Classic stacks predate AGENT_ENGINE: they keep an environment without it.
  { omitFallback: true },
);

/** The tool confirmation modes (`CHAT_CONFIRMATIONS`): `ask` ends the turn with a confirmation, `deny` refuses. */
export const CONFIRMATION_MODES = ['ask', 'deny'] as const;

/** What a chat turn needs besides the agent: deadline, tables, lease and confirmation mode. */
export const TURN_ENV = envRecord({
  deadlineSeconds: int('AGENT_DEADLINE_SECONDS'),
  conversationTtlDays: int('CONVERSATION_TTL_DAYS'),
  agentStateTable: text('AGENT_STATE_TABLE_NAME'),
  conversationsTable: text('CONVERSATIONS_TABLE_NAME'),
  /** How long a turn may hold its session: the function's own timeout. */
  leaseSeconds: int('TURN_LEASE_SECONDS'),
  confirmations: choice('CHAT_CONFIRMATIONS', CONFIRMATION_MODES),
});

/** Every function that runs turns: the agent and the turn. */
export const TURN_RUNNER_ENV = mergeEnv(AGENT_ENV, TURN_ENV);

/** The longest message a channel accepts. */
export const MAX_MESSAGE_ENV = envRecord({ maxMessageChars: int('MAX_MESSAGE_CHARS') });

/** REST POST /chat (`functions/chat/handler.ts`). */
export const CHAT_ENV = mergeEnv(
  TURN_RUNNER_ENV,
  IDENTITY_ENV,
  CORS_ENV,
  MAX_MESSAGE_ENV,
  envRecord({ websocketUrl: optionalText('WEBSOCKET_URL') }),
);

/** REST GET /conversations/{id} (`functions/chat/conversations-handler.ts`). */
export const CONVERSATIONS_ENV = mergeEnv(
  IDENTITY_ENV,
  CORS_ENV,
  envRecord({ conversationsTable: text('CONVERSATIONS_TABLE_NAME'), pageSize: int('PAGE_SIZE') }),
);

/** REST GET /conversations (`functions/chat/list-conversations-handler.ts`). */
export const LIST_CONVERSATIONS_ENV = mergeEnv(
  IDENTITY_ENV,
  CORS_ENV,
  envRecord({
    conversationsTable: text('CONVERSATIONS_TABLE_NAME'),
    userIndex: text('CONVERSATIONS_USER_INDEX'),
  }),
);

/** The knowledge base a function retrieves from, and its vector store (what it can do, how it fails). */
export const KNOWLEDGE_BASE_ENV = envRecord({
  knowledgeBaseId: text('KNOWLEDGE_BASE_ID'),
  vectorStore: choice(VECTOR_STORE_ENV, VECTOR_STORES),
});

/** A numbered guardrail a function applies; both variables or neither. */
export const OPTIONAL_GUARDRAIL_ENV = envRecord({
  guardrailId: optionalText('GUARDRAIL_ID'),
  guardrailVersion: optionalText('GUARDRAIL_VERSION'),
});

/** REST POST /search (`functions/search/handler.ts`). */
export const SEARCH_ENV = mergeEnv(
  CORS_ENV,
  KNOWLEDGE_BASE_ENV,
  OPTIONAL_GUARDRAIL_ENV,
  envRecord({ maxQueryChars: int('MAX_QUERY_CHARS'), maxResults: int('MAX_SEARCH_RESULTS') }),
);

/** REST GET /health (`functions/health/handler.ts`). */
export const HEALTH_ENV = mergeEnv(CORS_ENV, envRecord({ appVersion: optionalText('APP_VERSION') }));

/** WebSocket `$connect` authorizer (`functions/websocket/authorizer.ts`): API keys or Cognito tokens. */
export const WS_AUTHORIZER_ENV = mergeEnv(
  IDENTITY_ENV,
  envVariants('mode', choice('AUTH_MODE', ['api-keys', 'cognito'] as const, 'api-keys'), {
    'api-keys': envRecord({}),
    cognito: envRecord({
      userPoolId: text('COGNITO_USER_POOL_ID'),
      clientIds: list('COGNITO_CLIENT_IDS'),
    }),
  }),
);

const CONNECTIONS_TABLE = text('CONNECTIONS_TABLE_NAME');

/** WebSocket `$connect`/`$disconnect` (`functions/websocket/connections-handler.ts`). */
export const WS_CONNECTIONS_ENV = envRecord({
  connectionsTable: CONNECTIONS_TABLE,
  connectionTtlHours: int('CONNECTION_TTL_HOURS'),
});

/** WebSocket `sendMessage` ingress (`functions/websocket/message-handler.ts`). */
export const WS_MESSAGE_ENV = mergeEnv(
  MAX_MESSAGE_ENV,
  envRecord({ connectionsTable: CONNECTIONS_TABLE, turnFunctionName: text('TURN_FUNCTION_NAME') }),
);

/** WebSocket turn worker (`functions/websocket/turn-handler.ts`). */
export const WS_TURN_ENV = mergeEnv(
  TURN_RUNNER_ENV,
  envRecord({ maxStartDelaySeconds: int('TURN_MAX_START_DELAY_SECONDS') }),
);

/** WebSocket turn-failure notifier (`functions/websocket/turn-failure-handler.ts`). */
export const WS_TURN_FAILURE_ENV = envRecord({
  agentStateTable: text('AGENT_STATE_TABLE_NAME'),
  conversationTtlDays: int('CONVERSATION_TTL_DAYS'),
});

/** Discord interactions ingress (`functions/discord/interactions-handler.ts`). */
export const DISCORD_INGRESS_ENV = mergeEnv(
  MAX_MESSAGE_ENV,
  envRecord({
    publicKey: text('DISCORD_PUBLIC_KEY'),
    applicationId: text('DISCORD_APPLICATION_ID'),
    guildIds: list('DISCORD_GUILD_IDS'),
    eventBusName: text('EVENT_BUS_NAME'),
  }),
);

/** What the Discord worker needs besides the turn (`DiscordWorker` sets it with the turn's record). */
export const DISCORD_BOT_ENV = envRecord({
  apiBaseUrl: text('DISCORD_API_BASE_URL'),
  table: text('DISCORD_TABLE_NAME'),
  rateLimitQuestions: int('RATE_LIMIT_QUESTIONS'),
  rateLimitWindowSeconds: int('RATE_LIMIT_WINDOW_SECONDS'),
  maxMessagesPerAnswer: int('MAX_MESSAGES_PER_ANSWER'),
});

/** Discord worker (`functions/discord/worker-handler.ts`). */
export const DISCORD_WORKER_ENV = mergeEnv(TURN_RUNNER_ENV, IDENTITY_ENV, DISCORD_BOT_ENV);

/** Ingestion starter (`functions/ingest/handler.ts`). */
export const INGEST_ENV = envRecord({
  knowledgeBaseId: text('KNOWLEDGE_BASE_ID'),
  dataSourceId: text('DATA_SOURCE_ID'),
});

/** The AgentCore gateway's knowledge tool (`functions/knowledge-tool/handler.ts`). */
export const KNOWLEDGE_TOOL_ENV = mergeEnv(KNOWLEDGE_BASE_ENV, OPTIONAL_GUARDRAIL_ENV);

/** A numbered guardrail a function must apply. */
export const GUARDRAIL_ENV = envRecord({
  guardrailId: text('GUARDRAIL_ID'),
  guardrailVersion: text('GUARDRAIL_VERSION'),
});

/** The harness's input-guardrail hook (`functions/guardrail-hook/handler.ts`). */
export const GUARDRAIL_HOOK_ENV = GUARDRAIL_ENV;
