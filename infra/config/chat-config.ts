import { z } from 'zod';

/**
 * The REST integration timeout (seconds) API Gateway applies to /chat. A turn that would take longer is
 * answered by the chat Lambda itself (504 JSON pointing at the WebSocket API), never by a silent gateway 504.
 */
export const REST_INTEGRATION_TIMEOUT_SECONDS = 29;

/** Seconds the chat Lambda keeps after the agent deadline to persist the turn and answer. */
const PERSIST_MARGIN_SECONDS = 2;

/** API Gateway's account-level ceiling: no stage or plan can go above it. */
const ACCOUNT_RPS = 10000;
const ACCOUNT_BURST = 5000;

const rate = (key: string) =>
  z
    .number(`${key} must be a number of requests per second`)
    .positive(`${key} must be above 0`)
    .max(ACCOUNT_RPS, `${key} must be at most ${ACCOUNT_RPS} (the API Gateway account ceiling)`);

const burst = (key: string) =>
  z
    .number()
    .int(`${key} must be a whole number of requests`)
    .min(1, `${key} must be at least 1`)
    .max(ACCOUNT_BURST, `${key} must be at most ${ACCOUNT_BURST} (the API Gateway account ceiling)`);

const throttle = (key: string) =>
  z.strictObject({ rateLimit: rate(`${key}.rateLimit`), burstLimit: burst(`${key}.burstLimit`) });

/** `https://host[:port]`, or `http://localhost[:port]` for local web development; no path, no wildcard. */
const ORIGIN = /^(https:\/\/[a-z0-9.-]+|http:\/\/(localhost|127\.0\.0\.1))(:\d{1,5})?$/;

const keyName = z
  .string()
  .regex(
    /^[a-z][a-z0-9-]{1,31}$/,
    'apiKeys names and apps must be 2-32 lower-case letters, digits or dashes',
  );

const functionSettings = (key: string, maxTimeout: number) =>
  z.strictObject({
    memoryMb: z.number().int().min(128).max(10240),
    timeoutSeconds: z
      .number()
      .int()
      .min(3, `${key}.timeoutSeconds must be at least 3`)
      .max(maxTimeout, `${key}.timeoutSeconds must be at most ${maxTimeout}`),
  });

/**
 * Functions that call Bedrock per user message: reserved concurrency is their cost cap (checklist 11). Optional:
 * every reservation must leave the account 100 unreserved, so a stage that reserves any needs a concurrency
 * quota of at least the sum + 100; new accounts often have 10 (dev reserves none, see `kass doctor`).
 */
const bedrockFunction = (key: string, maxTimeout: number) =>
  functionSettings(key, maxTimeout).extend({
    reservedConcurrency: z
      .number()
      .int()
      .min(1, `${key}.reservedConcurrency must be at least 1 (0 would switch the function off)`)
      .max(1000, `${key}.reservedConcurrency must be at most 1000`)
      .optional(),
  });

/** A function that runs agent turns: a cost cap plus the turn's deadline on the InvokeAgent call. */
const agentFunction = (key: string, maxTimeout: number) =>
  bedrockFunction(key, maxTimeout).extend({
    /** Seconds the InvokeAgent call may take (AbortSignal), below the function timeout. */
    agentDeadlineSeconds: z.number().int().min(5, `${key}.agentDeadlineSeconds must be at least 5`),
  });

export const ChatApiConfigSchema = z
  .strictObject({
    /**
     * Browser origins allowed by CORS (exact origins, no `*`). Empty: no CORS at all, for server-to-server
     * clients only.
     */
    allowedOrigins: z
      .array(
        z
          .string()
          .regex(
            ORIGIN,
            'allowedOrigins entries must be origins like https://chat.example.com (no path, no *)',
          ),
      )
      .default([]),
    /** Stage-wide throttle (every method, every client together). */
    throttle: throttle('throttle'),
    /** Per-client usage plan: each API key gets this throttle and quota. */
    usagePlan: z.strictObject({
      throttle: throttle('usagePlan.throttle'),
      quota: z.strictObject({
        limit: z.number().int().min(1, 'usagePlan.quota.limit must be at least 1 request'),
        period: z.enum(['DAY', 'WEEK', 'MONTH'], {
          error: () => 'usagePlan.quota.period must be DAY, WEEK or MONTH',
        }),
      }),
    }),
    /** The unauthenticated GET /health gets its own, lower method throttle. */
    healthThrottle: throttle('healthThrottle'),
    /**
     * One API key per client application (names only; API Gateway generates the values; read one with
     * `aws apigateway get-api-key --api-key <id> --include-value`). Each key names an *app*, the identity of
     * its callers (`app:<app>[:user:<id>]`): `'web-app'` is a key named and owned by app web-app;
     * `{ name: 'web-app-2027', app: 'web-app' }` is another key of the same app (rotation: add the new key,
     * deploy, move the app to it, remove the old entry; the app keeps its conversations). The stack maps each
     * key's id to its app at synth: nobody copies key ids into config.
     */
    apiKeys: z
      .array(
        z.union([keyName, z.strictObject({ name: keyName, app: keyName })], {
          error: () => 'apiKeys entries must be a key name or { name, app }',
        }),
      )
      .min(1, 'apiKeys must name at least one client: /chat, /search and /conversations require a key')
      .transform((keys) => keys.map((k) => (typeof k === 'string' ? { name: k, app: k } : k)))
      .refine((keys) => new Set(keys.map((k) => k.name)).size === keys.length, {
        message: 'apiKeys names must be unique',
      }),
    /**
     * Who gets the `operator` role (may read every ticket): members of these Cognito groups, and these owner
     * strings (e.g. `app:support-desk:user:lead`, `cognito:<sub>`). Granted by the API; tools trust it.
     */
    operators: z
      .strictObject({
        cognitoGroups: z.array(z.string().min(1).max(128)).default([]),
        userIds: z.array(z.string().min(3).max(512)).default([]),
      })
      .prefault({}),
    /**
     * A browser origin (`allowedOrigins`) while the API accepts API keys only means the key ships in web
     * pages, where anyone can read it. `refuse` fails synth; `warn` allows it with a synth warning (dev, for
     * a local web page). @default 'refuse'
     */
    browserOriginsWithoutCognito: z
      .enum(['refuse', 'warn'], { error: () => 'browserOriginsWithoutCognito must be refuse or warn' })
      .default('refuse'),
    /**
     * Cognito user-pool sign-in on top of the API keys. The owner of a conversation is then the token's
     * `sub`. Without `userPoolArn` the construct creates a pool (MFA required, admin-created users).
     */
    cognito: z
      .strictObject({
        enabled: z.boolean(),
        userPoolArn: z
          .string()
          .regex(
            /^arn:aws[a-z-]*:cognito-idp:[a-z0-9-]+:\d{12}:userpool\/[\w-]+_[0-9a-zA-Z]+$/,
            'cognito.userPoolArn must be a Cognito user pool ARN',
          )
          .optional(),
        /** Client ids whose tokens are accepted, for an imported pool. @default - the created client */
        userPoolClientIds: z.array(z.string().regex(/^[\w+]{1,128}$/)).default([]),
        /** PLUS adds threat protection (billed per MAU); ESSENTIALS is the standard tier. */
        featurePlan: z.enum(['ESSENTIALS', 'PLUS']).default('ESSENTIALS'),
      })
      .refine((c) => !c.userPoolArn || c.userPoolClientIds.length > 0, {
        message: 'cognito.userPoolClientIds must list the app client ids of an imported user pool',
        path: ['userPoolClientIds'],
      })
      .prefault({ enabled: false }),
    /** AWS WAF on the REST stage (managed common/bad-input/IP-reputation rules and a per-IP rate rule). */
    waf: z
      .strictObject({
        enabled: z.boolean(),
        /** Requests one IP may send in any 5-minute window before WAF blocks it. */
        ratePer5Minutes: z.number().int().min(10).max(2_000_000_000).default(1000),
      })
      .prefault({ enabled: false }),
    /** Execution-log level of every method (`/*\/*`); data tracing stays off always (prompts are data). */
    methodLoggingLevel: z.enum(['INFO', 'ERROR']),
    /**
     * API Gateway writes execution and access logs with one role per account and region
     * (`AWS::ApiGateway::Account`), shared by every API there: setting it replaces the role another stack set.
     * `existing` (default): leave the account setting alone; it must already name a role
     * (`aws apigateway get-account` shows `cloudwatchRoleArn`; `kass doctor` checks it).
     * `create`: this stack creates that role (own inline policy, retained on delete) and sets it. Ask for it
     * when the account has no role yet, or when this stack should own it.
     * @default 'existing'
     */
    accountCloudWatchRole: z
      .enum(['create', 'existing'], {
        error: () => 'accountCloudWatchRole must be create or existing',
      })
      .default('existing'),
    limits: z
      .strictObject({
        /** Characters of one chat message. */
        maxMessageChars: z.number().int().min(1).max(25000).default(4000),
        /** Characters of a /search query. */
        maxQueryChars: z.number().int().min(1).max(20000).default(1000),
        /** Upper bound of /search `top` (Retrieve allows 100). */
        maxSearchResults: z.number().int().min(1).max(100).default(25),
        /** Messages returned by one GET /conversations/{id} page. */
        conversationPageSize: z.number().int().min(1).max(1000).default(100),
      })
      .prefault({}),
    /** Days a stored chat message is kept (the Conversations TTL, written as epoch seconds). */
    conversationTtlDays: z.number().int().min(1).max(3650).default(30),
    /** REST /chat: one agent turn inside the 29 s integration timeout. */
    chat: agentFunction('chat', REST_INTEGRATION_TIMEOUT_SECONDS).extend({
      /**
       * Tool confirmations (every write tool has `x-requireConfirmation: ENABLED`), for /chat and the WebSocket
       * API alike (`CHAT_CONFIRMATIONS` of the chat function and the WebSocket turn worker).
       * - `ask`: the turn ends with a `confirmation` (id, tool, operation, inputs, prompt) kept 10 minutes in
       *   the Agent State table; the client answers `{conversationId, confirmation: {id, confirm}}`.
       * - `deny`: every confirmation is denied mid-turn: the agent can never run a write tool through the API.
       * @default 'ask'
       */
      confirmations: z
        .enum(['ask', 'deny'], { error: () => 'chat.confirmations must be ask or deny' })
        .default('ask'),
    }),
    /** REST /search: one Retrieve call. */
    search: bedrockFunction('search', REST_INTEGRATION_TIMEOUT_SECONDS),
    /** Health, conversations read, WebSocket connect/disconnect/message and the authorizer. */
    light: functionSettings('light', REST_INTEGRATION_TIMEOUT_SECONDS),
    websocket: z.strictObject({
      throttle: throttle('websocket.throttle'),
      /** Hours a connection record lives (API Gateway closes connections after 2 hours). */
      connectionTtlHours: z.number().int().min(2).max(24).default(3),
      /** The streaming worker: long turns, outside the 29 s integration timeout. */
      turn: agentFunction('websocket.turn', 900).extend({
        /**
         * A turn the worker could not start within this many seconds of its acceptance (throttled, at its
         * concurrency cap) does not run: the client gets an error frame telling it to retry. Below 60, the
         * asynchronous event's maximum age, after which Lambda gives the event to the failure notifier.
         * @default 30
         */
        maxStartDelaySeconds: z
          .number()
          .int()
          .min(1, 'websocket.turn.maxStartDelaySeconds must be at least 1')
          .max(59, 'websocket.turn.maxStartDelaySeconds must be below 60 (the event age Lambda allows)')
          .default(30),
      }),
    }),
  })
  .superRefine((c, ctx) => {
    const chatMax = c.chat.timeoutSeconds - PERSIST_MARGIN_SECONDS;
    if (c.chat.agentDeadlineSeconds > chatMax) {
      ctx.addIssue({
        code: 'custom',
        path: ['chat', 'agentDeadlineSeconds'],
        message: `chat.agentDeadlineSeconds must be at most chat.timeoutSeconds - ${PERSIST_MARGIN_SECONDS} (${chatMax}): the function needs time to persist and answer`,
      });
    }
    const turnMax = c.websocket.turn.timeoutSeconds - PERSIST_MARGIN_SECONDS;
    if (c.websocket.turn.agentDeadlineSeconds > turnMax) {
      ctx.addIssue({
        code: 'custom',
        path: ['websocket', 'turn', 'agentDeadlineSeconds'],
        message: `websocket.turn.agentDeadlineSeconds must be at most websocket.turn.timeoutSeconds - ${PERSIST_MARGIN_SECONDS} (${turnMax})`,
      });
    }
    if (c.usagePlan.throttle.rateLimit > c.throttle.rateLimit) {
      ctx.addIssue({
        code: 'custom',
        path: ['usagePlan', 'throttle', 'rateLimit'],
        message:
          'usagePlan.throttle.rateLimit must not exceed throttle.rateLimit: the stage throttle would cap it',
      });
    }
    if (c.allowedOrigins.length > 0 && !c.cognito.enabled && c.browserOriginsWithoutCognito === 'refuse') {
      ctx.addIssue({
        code: 'custom',
        path: ['allowedOrigins'],
        message:
          'allowedOrigins lets browsers call an API that accepts API keys only, so the key would ship in a web ' +
          'page. Set chatApi.cognito.enabled to true (browsers sign in), or empty chatApi.allowedOrigins, or ' +
          '(dev only) set chatApi.browserOriginsWithoutCognito to warn',
      });
    }
    if (c.healthThrottle.rateLimit > c.throttle.rateLimit) {
      ctx.addIssue({
        code: 'custom',
        path: ['healthThrottle', 'rateLimit'],
        message: 'healthThrottle.rateLimit must not exceed throttle.rateLimit',
      });
    }
  });

export type ChatApiConfig = z.infer<typeof ChatApiConfigSchema>;
export type ChatApiConfigInput = z.input<typeof ChatApiConfigSchema>;

/**
 * Dev: API keys only, small throttles and quota (a runaway script costs little), execution logs at INFO,
 * no WAF (cost; the usage plan and stage throttle bound abuse), one key for the developer.
 */
export const DEV_CHAT_API: ChatApiConfigInput = {
  allowedOrigins: ['http://localhost:3000'],
  // A local web page with the developer's key: allowed in dev only, with a synth warning.
  browserOriginsWithoutCognito: 'warn',
  throttle: { rateLimit: 20, burstLimit: 10 },
  usagePlan: { throttle: { rateLimit: 5, burstLimit: 5 }, quota: { limit: 2000, period: 'DAY' } },
  healthThrottle: { rateLimit: 2, burstLimit: 2 },
  apiKeys: ['developer'],
  cognito: { enabled: false },
  waf: { enabled: false },
  methodLoggingLevel: 'INFO',
  // No reserved concurrency in dev: Lambda keeps 100 unreserved, so any reservation needs a quota above 100
  // (new accounts have 10). The usage plan and stage throttle bound the cost instead.
  chat: { memoryMb: 512, timeoutSeconds: 28, agentDeadlineSeconds: 25 },
  search: { memoryMb: 256, timeoutSeconds: 15 },
  light: { memoryMb: 256, timeoutSeconds: 10 },
  websocket: {
    throttle: { rateLimit: 10, burstLimit: 5 },
    turn: { memoryMb: 512, timeoutSeconds: 180, agentDeadlineSeconds: 170 },
  },
};

/**
 * Prod: API keys plus Cognito sign-in, WAF, execution logs at ERROR only, larger (still bounded) throttles
 * and quotas. Set `allowedOrigins` to the real web origins before deploying.
 */
export const PROD_CHAT_API: ChatApiConfigInput = {
  allowedOrigins: [],
  throttle: { rateLimit: 200, burstLimit: 100 },
  usagePlan: { throttle: { rateLimit: 20, burstLimit: 40 }, quota: { limit: 50000, period: 'DAY' } },
  healthThrottle: { rateLimit: 5, burstLimit: 5 },
  apiKeys: ['web-app'],
  cognito: { enabled: true, featurePlan: 'ESSENTIALS' },
  waf: { enabled: true, ratePer5Minutes: 1000 },
  methodLoggingLevel: 'ERROR',
  chat: { memoryMb: 1024, timeoutSeconds: 28, agentDeadlineSeconds: 25, reservedConcurrency: 50 },
  search: { memoryMb: 512, timeoutSeconds: 15, reservedConcurrency: 20 },
  light: { memoryMb: 256, timeoutSeconds: 10 },
  websocket: {
    throttle: { rateLimit: 100, burstLimit: 50 },
    turn: { memoryMb: 1024, timeoutSeconds: 300, agentDeadlineSeconds: 290, reservedConcurrency: 50 },
  },
};
