import type { Context } from 'aws-lambda';
import { DISCORD_WORKER_ENV } from '../../contracts/function-env';
import { documentClient } from '../shared/clients';
import { once } from '../shared/once';
import { turnDepsOf } from '../shared/turn-env';
import { DiscordApi } from './discord-api';
import { DynamoInteractionLedger } from './interaction-ledger';
import { createWorker, type WorkerDeps } from './worker';

/** The deployed dependencies, from the environment the DiscordBot construct sets. */
export function workerDepsFromEnv(): WorkerDeps {
  const env = DISCORD_WORKER_ENV.read();
  const rateLimit = { questions: env.rateLimitQuestions, windowSeconds: env.rateLimitWindowSeconds };
  return {
    // The agent engine, tables and confirmation mode exactly as the chat API builds them.
    turn: turnDepsOf(env),
    identity: env,
    ledger: new DynamoInteractionLedger(documentClient(), env.table, rateLimit),
    webhook: new DiscordApi({ baseUrl: env.apiBaseUrl }),
    rateLimit,
    maxMessagesPerAnswer: env.maxMessagesPerAnswer,
  };
}

const live = once(() => createWorker(workerDepsFromEnv()));

/** The deployed handler (EventBridge → Lambda): dependencies from the environment, built on first use. */
export const handler = (event: unknown, context?: Context) => live()(event, context);
