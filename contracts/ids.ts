import { randomUUID } from 'node:crypto';

/**
 * The id formats KASS accepts and makes, written once: the chat functions validate with the RegExps, API
 * Gateway's request models and validators use their `.source`.
 */

/**
 * A conversation id, which is the agent's session id (InvokeAgent `sessionId` / `memoryId`): 2–100 of
 * `0-9 a-z A-Z . _ : -`.
 */
export const CONVERSATION_ID_PATTERN = /^[0-9a-zA-Z._:-]{2,100}$/;

/** The same rule under the agent's name for it. */
export const SESSION_ID_PATTERN = CONVERSATION_ID_PATTERN;

/** An app's own end-user id, namespaced under its API key (`app:<app>:user:<userId>`). */
export const USER_ID_PATTERN = /^[0-9A-Za-z._@:-]{1,128}$/;

/** A lower-case UUID: tool confirmation ids and turn claims, both made with `randomUUID`. */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A tool confirmation's id (a UUID the chat functions make). */
export const CONFIRMATION_ID_PATTERN = UUID_PATTERN;

/** A fresh session (conversation) id: a UUID, 36 characters. */
export const newSessionId = (): string => randomUUID();

export const isValidSessionId = (id: string): boolean => SESSION_ID_PATTERN.test(id);
