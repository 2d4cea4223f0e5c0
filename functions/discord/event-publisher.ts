import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DISCORD_EVENT_DETAIL_TYPE, DISCORD_EVENT_SOURCE } from '../../contracts/discord';
import { tracer } from '../shared/powertools';
import type { DiscordJob, JobPublisher } from './job';

/** Puts each job as one event on the bot's event bus (`events:PutEvents` on that bus only). */
export class EventBridgeJobPublisher implements JobPublisher {
  constructor(
    private readonly busName: string,
    // Two tries at most: the interactions function has Discord's 3 s to answer.
    private readonly client: EventBridgeClient = tracer.captureAWSv3Client(
      new EventBridgeClient({ maxAttempts: 2 }),
    ),
  ) {}

  async publish(job: DiscordJob, signal: AbortSignal): Promise<void> {
    const out = await this.client.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: this.busName,
            Source: DISCORD_EVENT_SOURCE,
            DetailType: DISCORD_EVENT_DETAIL_TYPE,
            Detail: JSON.stringify(job),
          },
        ],
      }),
      { abortSignal: signal },
    );
    if ((out.FailedEntryCount ?? 0) > 0) {
      throw new Error(`PutEvents refused the event: ${out.Entries?.[0]?.ErrorCode ?? 'unknown'}`);
    }
  }
}
