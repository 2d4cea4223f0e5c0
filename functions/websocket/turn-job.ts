import * as z from 'zod/mini';
import '../../action-groups/kit/zod-locale';
import { CONFIRMATION_ID_PATTERN } from '../shared/confirmation-view';
import { CONVERSATION_ID_PATTERN } from '../shared/requests';
import type { ServerFrame } from './events';

/** `type` of the payload the `sendMessage` ingress hands to the turn worker (asynchronous invoke). */
export const TURN_JOB_TYPE = 'kass.websocket-turn';

/** HTTPS management endpoint (`https://<domain>/<stage>`); plain HTTP only for a local test server. */
const ENDPOINT = /^(https:\/\/[^/\s]+|http:\/\/(127\.0\.0\.1|localhost)(:\d+)?)\/[^/\s]+$/;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const common = {
  type: z.literal(TURN_JOB_TYPE),
  connectionId: z.string().check(z.minLength(1), z.maxLength(128)),
  endpoint: z.string().check(z.regex(ENDPOINT)),
  /** The caller the `$connect` authorizer derived (from the Connections table, never from the frame). */
  owner: z.string().check(z.minLength(1), z.maxLength(512)),
  app: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
  roles: z.optional(z.array(z.string().check(z.minLength(1), z.maxLength(64))).check(z.maxLength(10))),
  conversationId: z.string().check(z.regex(CONVERSATION_ID_PATTERN)),
  requestId: z.optional(z.string().check(z.maxLength(128))),
  /** Epoch ms the ingress accepted the frame: a turn that waited too long does not run. */
  acceptedAt: z.optional(z.number().check(z.int(), z.positive())),
  /** The turn's claim on its session (Agent State `turn_token`), so its fate can be looked up later. */
  turnId: z.optional(z.string().check(z.regex(UUID))),
};

/**
 * One streamed turn to run: who asked, over which connection, what: a `message`, or the `confirmation`
 * answering the conversation's pending tool confirmation.
 */
export const TurnJob = z.union([
  z.strictObject({ ...common, message: z.string().check(z.minLength(1)) }),
  z.strictObject({
    ...common,
    confirmation: z.strictObject({
      id: z.string().check(z.regex(CONFIRMATION_ID_PATTERN)),
      confirm: z.boolean(),
    }),
  }),
]);
export type TurnJob = z.infer<typeof TurnJob>;

/** Port: starts a turn without waiting for it (the worker outlives the 29 s integration timeout). */
export interface TurnDispatcher {
  dispatch(job: TurnJob): Promise<void>;
}

/** Port: PostToConnection. `gone` when the client has disconnected (HTTP 410). */
export interface ConnectionPoster {
  post(endpoint: string, connectionId: string, frame: ServerFrame): Promise<'sent' | 'gone'>;
}
