import * as z from 'zod/mini';
import '../../action-groups/kit/zod-locale';
import type { ConfirmationView } from '../shared/confirmation-view';

/**
 * The parts of an API Gateway WebSocket proxy event the KASS functions read (`$connect`, `$disconnect`,
 * `sendMessage`, `$default`), validated instead of trusted. `authorizer` is the context the `$connect`
 * authorizer returned (API Gateway adds `principalId`).
 */
export const WebSocketEvent = z.object({
  requestContext: z.object({
    routeKey: z.string(),
    eventType: z.enum(['CONNECT', 'MESSAGE', 'DISCONNECT']),
    connectionId: z.string().check(z.minLength(1)),
    domainName: z.string().check(z.minLength(1)),
    stage: z.string().check(z.minLength(1)),
    requestId: z.optional(z.string()),
    connectedAt: z.optional(z.number()),
    authorizer: z.nullish(z.record(z.string(), z.unknown())),
  }),
  body: z.nullish(z.string()),
  isBase64Encoded: z.optional(z.boolean()),
  queryStringParameters: z.nullish(z.record(z.string(), z.string())),
});
export type WebSocketEvent = z.infer<typeof WebSocketEvent>;

/** The management endpoint PostToConnection calls for this event's API and stage. */
export const managementEndpoint = (event: WebSocketEvent): string =>
  `https://${event.requestContext.domainName}/${event.requestContext.stage}`;

/** What a WebSocket route handler returns (the route response, for routes that have one). */
export interface WebSocketResult {
  readonly statusCode: number;
  readonly body?: string;
}

/** A citation as frames carry it: bounded in size (see `frames.ts`). */
export interface FrameCitation {
  readonly uri?: string;
  readonly title?: string;
  /** At most 300 characters of the cited source. */
  readonly excerpt: string;
  /** Where the cited text is in the answer. */
  readonly span?: { readonly start: number; readonly end: number };
}

/**
 * The frames the client receives, in order: `accepted`, `chunk`…, then `final` (after any `citations`
 * frames it counts in `citationFrames`), `confirmation` (the agent waits for the user to confirm a tool
 * call: answer with `{"action":"sendMessage","conversationId":…,"confirmation":{"id":…,"confirm":true|false}}`)
 * or `error`. Every frame fits API Gateway's 128 KB message limit. An `error` with `retryable: true` means
 * the turn never ran: send the message again. No error frame ever follows a `final` frame.
 */
export type ServerFrame =
  | { readonly type: 'accepted'; readonly conversationId: string; readonly requestId?: string }
  | { readonly type: 'chunk'; readonly conversationId: string; readonly seq: number; readonly text: string }
  | {
      readonly type: 'citations';
      readonly conversationId: string;
      readonly citations: readonly FrameCitation[];
    }
  | {
      readonly type: 'final';
      readonly conversationId: string;
      /** The whole answer; absent (with `answerInChunks`) when too long for one frame. */
      readonly answer?: string;
      readonly answerInChunks?: true;
      readonly citations: readonly FrameCitation[];
      /** How many `citations` frames came just before this one. */
      readonly citationFrames?: number;
    }
  | ({ readonly type: 'confirmation'; readonly conversationId: string } & ConfirmationView)
  | {
      readonly type: 'error';
      readonly status: number;
      readonly error: string;
      readonly conversationId?: string;
      readonly retryable?: boolean;
      readonly [key: string]: unknown;
    };
