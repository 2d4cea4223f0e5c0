import type { KeyObject } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { DISCORD_INGRESS_ENV } from '../../contracts/function-env';
import { header } from '../shared/http';
import { once } from '../shared/once';
import { logger } from '../shared/powertools';
import { EventBridgeJobPublisher } from './event-publisher';
import {
  decide,
  type IngressSettings,
  Interaction,
  type InteractionResponse,
  ResponseType,
} from './interactions';
import { DiscordJob, type JobPublisher } from './job';
import { EPHEMERAL, noMentions } from './messages';
import { checkSignature, discordPublicKey } from './signature';

/** How long the hand-off to EventBridge may take: Discord wants the answer within 3 s. */
export const PUBLISH_TIMEOUT_MS = 1_500;

export interface IngressDeps extends IngressSettings {
  readonly publicKey: KeyObject;
  readonly publisher: JobPublisher;
  /** @default PUBLISH_TIMEOUT_MS */
  readonly publishTimeoutMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

/** What the function reads of the REST proxy event. */
export type InteractionRequest = Pick<APIGatewayProxyEvent, 'headers' | 'body' | 'isBase64Encoded'>;

const json = (statusCode: number, body: unknown): APIGatewayProxyResult => ({
  statusCode,
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
});

const UNAUTHORIZED = json(401, { error: 'invalid request signature' });

/** The exact bytes Discord signed: the body as received, base64-decoded when API Gateway encoded it. */
function rawBodyOf(event: InteractionRequest): Buffer {
  const body = event.body ?? '';
  return event.isBase64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
}

/**
 * The Discord interactions endpoint (`POST /interactions`). Verifies the Ed25519 signature over timestamp +
 * raw body and the timestamp's freshness (401 otherwise, whatever else is wrong), then answers at once:
 * PING → PONG, a question → a deferred response (type 5) after putting one job on the event bus, a
 * confirmation click → the message without buttons (type 7) and a job. It never calls the agent. If the bus
 * cannot take the job in time, the user gets a short ephemeral apology instead of a response that would
 * never be completed.
 */
export function createInteractionsHandler(deps: IngressDeps) {
  const now = deps.now ?? Date.now;
  const timeoutMs = deps.publishTimeoutMs ?? PUBLISH_TIMEOUT_MS;
  return async (event: InteractionRequest, context?: Context): Promise<APIGatewayProxyResult> => {
    if (context) logger.addContext(context);
    const rawBody = rawBodyOf(event);
    const check = checkSignature(
      deps.publicKey,
      {
        signature: header(event, 'x-signature-ed25519'),
        timestamp: header(event, 'x-signature-timestamp'),
        rawBody,
      },
      now(),
    );
    if (check !== 'valid') {
      // Discord sends invalid signatures on purpose, to check this answer.
      logger.info('interaction refused', { signature: check });
      return UNAUTHORIZED;
    }
    let parsed: ReturnType<typeof Interaction.safeParse>;
    try {
      parsed = Interaction.safeParse(JSON.parse(rawBody.toString('utf8')));
    } catch {
      return json(400, { error: 'the body is not JSON' });
    }
    if (!parsed.success) {
      logger.warn('not an interaction', { issues: parsed.error.issues.length });
      return json(400, { error: 'not an interaction' });
    }
    const interaction = parsed.data;
    // Signed with this application's key, yet for another application: not ours to answer.
    if (interaction.application_id !== deps.applicationId) return UNAUTHORIZED;

    const decision = decide(interaction, deps, now());
    const fields = { interactionId: interaction.id, kind: decision.kind, guildId: interaction.guild_id };
    let response: InteractionResponse = decision.response;
    if (decision.job) {
      try {
        // The worker drops what it cannot read: check the job here, where the user can still be told.
        const job = DiscordJob.parse(decision.job);
        await deps.publisher.publish(job, AbortSignal.timeout(timeoutMs));
      } catch (error) {
        logger.error('could not hand the interaction to the worker', {
          ...fields,
          error: error instanceof Error ? error.name : 'unknown',
        });
        response = {
          type: ResponseType.channelMessage,
          data: {
            ...noMentions(
              `Sorry, I could not start on that right now. Please try again in a moment. (ref \`${interaction.id}\`)`,
            ),
            flags: EPHEMERAL,
          },
        };
      }
    }
    logger.info('interaction answered', { ...fields, responseType: response.type });
    return json(200, response);
  };
}

export function ingressDepsFromEnv(): IngressDeps {
  const env = DISCORD_INGRESS_ENV.read();
  return {
    publicKey: discordPublicKey(env.publicKey),
    applicationId: env.applicationId,
    guildIds: new Set(env.guildIds),
    maxQuestionChars: env.maxMessageChars,
    publisher: new EventBridgeJobPublisher(env.eventBusName),
  };
}

const live = once(() => createInteractionsHandler(ingressDepsFromEnv()));

/** The deployed handler: dependencies from the environment, built on the first invocation. */
export const handler = (event: InteractionRequest, context?: Context) => live()(event, context);
