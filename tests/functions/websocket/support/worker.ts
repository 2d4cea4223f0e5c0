import { AgentClient } from '../../../../client';
import { DynamoAgentStateStore } from '../../../../functions/shared/agent-state-store';
import { DynamoConversationWriter } from '../../../../functions/shared/conversation-store';
import { createTurnHandler, type TurnHandlerDeps } from '../../../../functions/websocket/turn-handler';
import type { ConnectionPoster } from '../../../../functions/websocket/turn-job';
import { AGENT_ID, ALIAS_ID, type ChatWorld, TABLES } from '../../chat/support/chat-world';

/**
 * The WebSocket turn worker over the chat world (dynalite tables, the local InvokeAgent server, no retry
 * waits), posting through `poster`; `overrides` replace any dependency (deadline, clock, confirmations…).
 */
export function worldWorker(
  world: ChatWorld,
  poster: ConnectionPoster,
  overrides: Partial<TurnHandlerDeps> = {},
): ReturnType<typeof createTurnHandler> {
  const deadlineMs = overrides.deadlineMs ?? 170_000;
  return createTurnHandler({
    engine: new AgentClient({
      agentId: AGENT_ID,
      agentAliasId: ALIAS_ID,
      retry: { sleep: async () => undefined },
    }),
    conversations: new DynamoConversationWriter(world.doc, TABLES.conversations, 30, TABLES.agentState),
    agentState: new DynamoAgentStateStore(world.doc, TABLES.agentState, 30),
    deadlineMs,
    leaseMs: deadlineMs + 10_000,
    memory: false,
    confirmations: 'ask',
    poster,
    ...overrides,
  });
}
