import type { Context } from 'aws-lambda';
import { identitySettingsFromEnv } from '../shared/caller';
import { documentClient } from '../shared/clients';
import { intEnv, requireEnv } from '../shared/env';
import { once } from '../shared/once';
import { turnDepsFromEnv } from '../shared/turn-env';
import { DiscordApi } from './discord-api';
import { DynamoInteractionLedger } from './interaction-ledger';
import { createWorker, type WorkerDeps } from './worker';

/** The deployed dependencies, from the environment the DiscordBot construct sets. */
export function workerDepsFromEnv(): WorkerDeps {
  const rateLimit = {
    questions: intEnv('RATE_LIMIT_QUESTIONS'),
    windowSeconds: intEnv('RATE_LIMIT_WINDOW_SECONDS'),
  };
  return {
    // The agent engine, tables and confirmation mode exactly as the chat API builds them.
    turn: turnDepsFromEnv(),
    identity: identitySettingsFromEnv(),
    ledger: new DynamoInteractionLedger(documentClient(), requireEnv('DISCORD_TABLE_NAME'), rateLimit),
    webhook: new DiscordApi({ baseUrl: requireEnv('DISCORD_API_BASE_URL') }),
    rateLimit,
    maxMessagesPerAnswer: intEnv('MAX_MESSAGES_PER_ANSWER'),
  };
}

const live = once(() => createWorker(workerDepsFromEnv()));

/** The deployed handler (EventBridge → Lambda): dependencies from the environment, built on first use. */
export const handler = (event: unknown, context?: Context) => live()(event, context);
