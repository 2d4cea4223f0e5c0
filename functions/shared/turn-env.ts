import { DynamoAgentStateStore } from './agent-state-store';
import { documentClient } from './clients';
import { CONFIRMATION_MODES } from './confirmations';
import { DynamoConversationWriter } from './conversation-store';
import { chatEngineFromEnv } from './engine-env';
import { choiceEnv, intEnv, requireEnv } from './env';
import type { TurnDeps } from './turn';

/**
 * The agent-turn dependencies both turn runners (REST /chat and the WebSocket worker) read from the
 * environment the ChatApi construct sets. `leaseMs` is the runner's own: how long a turn may hold its session.
 */
export function turnDepsFromEnv(leaseMs: (deadlineMs: number) => number): TurnDeps {
  const deadlineMs = intEnv('AGENT_DEADLINE_SECONDS') * 1000;
  const ttlDays = intEnv('CONVERSATION_TTL_DAYS');
  const ddb = documentClient();
  return {
    engine: chatEngineFromEnv(deadlineMs),
    conversations: new DynamoConversationWriter(ddb, requireEnv('CONVERSATIONS_TABLE_NAME'), ttlDays),
    agentState: new DynamoAgentStateStore(ddb, requireEnv('AGENT_STATE_TABLE_NAME'), ttlDays),
    deadlineMs,
    leaseMs: leaseMs(deadlineMs),
    memory: process.env.AGENT_MEMORY === 'on',
    confirmations: choiceEnv('CHAT_CONFIRMATIONS', CONFIRMATION_MODES),
  };
}
