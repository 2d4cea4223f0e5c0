import { DynamoAgentStateStore } from './agent-state-store';
import { documentClient } from './clients';
import { CONFIRMATION_MODES } from './confirmations';
import { DynamoConversationWriter } from './conversation-store';
import { chatEngineFromEnv } from './engine-env';
import { choiceEnv, intEnv, requireEnv } from './env';
import type { TurnDeps } from './turn';

/**
 * The agent-turn dependencies both turn runners (REST /chat and the WebSocket worker) read from the
 * environment the chat constructs set. `TURN_LEASE_SECONDS` is how long a turn may hold its session: the
 * construct sets it to the function's own timeout, so a turn that is still running always holds its session.
 */
export function turnDepsFromEnv(): TurnDeps {
  const deadlineMs = intEnv('AGENT_DEADLINE_SECONDS') * 1000;
  const ttlDays = intEnv('CONVERSATION_TTL_DAYS');
  const agentStateTable = requireEnv('AGENT_STATE_TABLE_NAME');
  const ddb = documentClient();
  return {
    engine: chatEngineFromEnv(deadlineMs),
    conversations: new DynamoConversationWriter(
      ddb,
      requireEnv('CONVERSATIONS_TABLE_NAME'),
      ttlDays,
      agentStateTable,
    ),
    agentState: new DynamoAgentStateStore(ddb, agentStateTable, ttlDays),
    deadlineMs,
    leaseMs: intEnv('TURN_LEASE_SECONDS') * 1000,
    memory: process.env.AGENT_MEMORY === 'on',
    confirmations: choiceEnv('CHAT_CONFIRMATIONS', CONFIRMATION_MODES),
  };
}
