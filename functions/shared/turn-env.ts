import type { ValuesOf } from '../../contracts/env';
import type { TURN_RUNNER_ENV } from '../../contracts/function-env';
import { DynamoAgentStateStore } from './agent-state-store';
import { documentClient } from './clients';
import { DynamoConversationWriter } from './conversation-store';
import { chatEngineOf } from './engine-env';
import type { TurnDeps } from './turn';

/**
 * The agent-turn dependencies every turn runner (REST /chat, the WebSocket worker, the Discord worker) builds
 * from its environment (`TURN_RUNNER_ENV`). `leaseSeconds` is how long a turn may hold its session: the
 * construct sets it to the function's own timeout, so a turn that is still running always holds its session.
 */
export function turnDepsOf(env: ValuesOf<typeof TURN_RUNNER_ENV>): TurnDeps {
  const deadlineMs = env.deadlineSeconds * 1000;
  const ddb = documentClient();
  return {
    engine: chatEngineOf(env, deadlineMs),
    conversations: new DynamoConversationWriter(
      ddb,
      env.conversationsTable,
      env.conversationTtlDays,
      env.agentStateTable,
    ),
    agentState: new DynamoAgentStateStore(ddb, env.agentStateTable, env.conversationTtlDays),
    deadlineMs,
    leaseMs: env.leaseSeconds * 1000,
    memory: env.memory,
    confirmations: env.confirmations,
  };
}
