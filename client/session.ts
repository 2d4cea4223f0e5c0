import { isValidSessionId, newSessionId, SESSION_ID_PATTERN } from '../contracts/ids';
import type { AgentAnswer, AskInput, ChatEngine, TurnInput } from './chat-engine';
import type { AgentEvent } from './events';

/** Session and memory ids (2–100 of `0-9 a-z A-Z . _ : -`), fresh ids and the check: the contracts' own. */
export { isValidSessionId, newSessionId, SESSION_ID_PATTERN };

export interface SessionOptions {
  /** Continue an existing conversation. @default a new id */
  readonly id?: string;
  readonly memoryId?: string;
  readonly sessionAttributes?: Readonly<Record<string, string>>;
  readonly promptSessionAttributes?: Readonly<Record<string, string>>;
}

/** Turn options a session fills in itself. */
type SessionTurnOptions = Omit<TurnInput, 'text' | 'sessionId' | 'memoryId'>;
type SessionAskOptions = Omit<AskInput, 'text' | 'sessionId' | 'memoryId'>;

/**
 * A conversation over any `ChatEngine`: every turn uses the same session id, memory id and attributes.
 * Attributes can be changed between turns; `renew()` starts a new conversation.
 */
export class Session {
  private currentId: string;
  readonly memoryId: string | undefined;
  sessionAttributes: Record<string, string>;
  promptSessionAttributes: Record<string, string>;

  constructor(
    private readonly engine: ChatEngine,
    options: SessionOptions = {},
  ) {
    this.currentId = options.id ?? newSessionId();
    this.memoryId = options.memoryId;
    this.sessionAttributes = { ...options.sessionAttributes };
    this.promptSessionAttributes = { ...options.promptSessionAttributes };
  }

  get id(): string {
    return this.currentId;
  }

  /** Streams one turn of this conversation. */
  stream(text: string, options: SessionTurnOptions = {}): AsyncGenerator<AgentEvent, void, undefined> {
    return this.engine.stream(this.turn(text, options));
  }

  /** Runs one turn of this conversation and collects it. */
  ask(text: string, options: SessionAskOptions = {}): Promise<AgentAnswer> {
    return this.engine.ask(this.turn(text, options));
  }

  /**
   * Ends the conversation on the engine's side (InvokeAgent `endSession`, which also summarises it into
   * memory when a memory id is set), then switches to a new id.
   */
  async end(text = 'End of conversation.'): Promise<void> {
    await this.engine.ask(this.turn(text, { endSession: true }));
    this.renew();
  }

  /** Starts a new conversation locally (the old one simply expires). Returns the new id. */
  renew(id: string = newSessionId()): string {
    this.currentId = id;
    return id;
  }

  private turn<T extends SessionTurnOptions>(text: string, options: T): T & TurnInput {
    return {
      ...options,
      text,
      sessionId: this.currentId,
      ...(this.memoryId ? { memoryId: this.memoryId } : {}),
      sessionAttributes: { ...this.sessionAttributes, ...options.sessionAttributes },
      promptSessionAttributes: { ...this.promptSessionAttributes, ...options.promptSessionAttributes },
    };
  }
}
