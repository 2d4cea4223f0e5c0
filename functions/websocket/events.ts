import { z } from 'zod';

/**
 * The parts of an API Gateway WebSocket proxy event the KASS functions read (`$connect`, `$disconnect`,
 * `sendMessage`, `$default`), validated instead of trusted. `authorizer` is the context the `$connect`
 * authorizer returned (API Gateway adds `principalId`).
 */
export const WebSocketEvent = z.object({
  requestContext: z.object({
    routeKey: z.string(),
    eventType: z.enum(['CONNECT', 'MESSAGE', 'DISCONNECT']),
    connectionId: z.string().min(1),
    domainName: z.string().min(1),
    stage: z.string().min(1),
    requestId: z.string().optional(),
    connectedAt: z.number().optional(),
    authorizer: z.record(z.string(), z.unknown()).nullish(),
  }),
  body: z.string().nullish(),
  isBase64Encoded: z.boolean().optional(),
  queryStringParameters: z.record(z.string(), z.string()).nullish(),
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

/** The frames the client receives, in order: `accepted`, `chunk`…, then `final` or `error`. */
export type ServerFrame =
  | { readonly type: 'accepted'; readonly conversationId: string; readonly requestId?: string }
  | { readonly type: 'chunk'; readonly conversationId: string; readonly seq: number; readonly text: string }
  | {
      readonly type: 'final';
      readonly conversationId: string;
      readonly answer: string;
      readonly citations: readonly unknown[];
    }
  | {
      readonly type: 'error';
      readonly status: number;
      readonly error: string;
      readonly conversationId?: string;
      readonly [key: string]: unknown;
    };
