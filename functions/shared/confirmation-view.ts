/*
 * What a tool confirmation looks like to API clients, apart from how confirmations are made (confirmations.ts
 * reads the bundled OpenAPI documents; the error mapping and frame types need only these shapes, and a
 * function such as the WebSocket authorizer must not bundle a YAML parser for them).
 */

/** How long a confirmation can be answered (the dev agent's idle session TTL is 10 minutes too). */
export const CONFIRMATION_TTL_MS = 10 * 60 * 1000;

/** Which operation a call runs: an OpenAPI method and path (and operationId, when known) or a function. */
export type OperationView =
  | { readonly method: string; readonly path: string; readonly operationId?: string }
  | { readonly function: string };

/** The arguments of a call as the agent gave them (values are strings, unchanged), by name. */
export interface InputsView {
  /** Path, query and header parameters (function tools: the function's parameters). */
  readonly parameters: Readonly<Record<string, string>>;
  /** Request-body properties, when the operation has a body. */
  readonly body?: Readonly<Record<string, string>>;
}

/** One call the user is asked to confirm. */
export interface CallView {
  /** The action group (tool), e.g. `report`. */
  readonly tool: string;
  readonly operation: OperationView;
  readonly inputs: InputsView;
}

/** A confirmation as the chat API returns it (REST `confirmation`, WebSocket `confirmation` frame). */
export interface ConfirmationView extends CallView {
  /** Send it back as `confirmation.id`. */
  readonly id: string;
  /** A short sentence to show the user, e.g. `Run report createTicket with title=VPN drops, severity=high?` */
  readonly prompt: string;
  /** ISO-8601; after it the confirmation can no longer be answered. */
  readonly expiresAt: string;
  /** Every call the one decision answers, when the agent asked about several at once (rare). */
  readonly calls?: readonly CallView[];
}

/** A user's answer: `POST /chat {conversationId, confirmation: {id, confirm}}`. */
export interface ConfirmationReply {
  readonly id: string;
  readonly confirm: boolean;
}
