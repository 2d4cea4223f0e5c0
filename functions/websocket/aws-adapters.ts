import {
  ApiGatewayManagementApiClient,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { tracer } from '../shared/powertools';
import type { ServerFrame } from './events';
import type { ConnectionPoster, TurnDispatcher, TurnJob } from './turn-job';

/** Hands a turn to the worker with an asynchronous invoke (`lambda:InvokeFunction` on that function only). */
export class LambdaTurnDispatcher implements TurnDispatcher {
  constructor(
    private readonly functionName: string,
    private readonly client: LambdaClient = tracer.captureAWSv3Client(new LambdaClient({})),
  ) {}

  async dispatch(job: TurnJob): Promise<void> {
    await this.client.send(
      new InvokeCommand({
        FunctionName: this.functionName,
        InvocationType: 'Event',
        Payload: new TextEncoder().encode(JSON.stringify(job)),
      }),
    );
  }
}

/**
 * PostToConnection with one management client per endpoint (`https://<domain>/<stage>`, from the event),
 * created on first use and reused by later turns in the same execution environment.
 */
export class ManagementApiPoster implements ConnectionPoster {
  private readonly clients = new Map<string, ApiGatewayManagementApiClient>();

  constructor(
    private readonly factory: (endpoint: string) => ApiGatewayManagementApiClient = defaultClient,
  ) {}

  async post(endpoint: string, connectionId: string, frame: ServerFrame): Promise<'sent' | 'gone'> {
    let client = this.clients.get(endpoint);
    if (!client) {
      client = this.factory(endpoint);
      this.clients.set(endpoint, client);
    }
    try {
      await client.send(
        new PostToConnectionCommand({
          ConnectionId: connectionId,
          Data: new TextEncoder().encode(JSON.stringify(frame)),
        }),
      );
      return 'sent';
    } catch (error) {
      if (error instanceof GoneException || (error as { name?: unknown }).name === 'GoneException')
        return 'gone';
      throw error;
    }
  }

  /** Clients created so far (one per endpoint). */
  get size(): number {
    return this.clients.size;
  }
}

const defaultClient = (endpoint: string) =>
  tracer.captureAWSv3Client(new ApiGatewayManagementApiClient({ endpoint }));
