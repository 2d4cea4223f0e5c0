import { DynamoConnectionStore } from '../../../functions/websocket/connection-store';
import { createConnectionsHandler, handler } from '../../../functions/websocket/connections-handler';
import { getTestEvent } from '../../support/events';
import { TABLES, useChatWorld } from '../chat/support/chat-world';

type Event = { requestContext: Record<string, unknown> & { authorizer?: Record<string, unknown> } };

describe('Handler: WebSocket $connect / $disconnect', () => {
  const world = useChatWorld();

  it('records the connection with its caller (the authorizer’s context) and a TTL in epoch seconds', async () => {
    // Prepare
    const before = Math.floor(Date.now() / 1000);
    // Act
    const result = await handler(getTestEvent({ eventsPath: 'apigw', filename: 'websocket-connect' }));
    // Assess
    expect(result).toEqual({ statusCode: 200 });
    const [record] = await world.scan(TABLES.connections);
    expect(record).toEqual({
      connection_id: 'L0SM9cOFvHcCIhw=',
      user_id: 'app:web-app:user:alex',
      app: 'web-app',
      connected_at: expect.any(String),
      expires_at: expect.any(Number),
    });
    expect(record?.expires_at).toBeGreaterThanOrEqual(before + 3 * 3600);
    expect(record?.expires_at).toBeLessThan(before + 3 * 3600 + 5);
  });

  it('keeps the operator role the authorizer granted', async () => {
    const event = getTestEvent<Event>({ eventsPath: 'apigw', filename: 'websocket-connect' });
    event.requestContext.authorizer = { owner: 'cognito:op', roles: 'operator', principalId: 'u-1' };
    await handler(event);
    expect(await new DynamoConnectionStore(world.doc, TABLES.connections).get('L0SM9cOFvHcCIhw=')).toEqual({
      connectionId: 'L0SM9cOFvHcCIhw=',
      caller: { userId: 'cognito:op', roles: ['operator'] },
    });
  });

  it('removes the record on $disconnect', async () => {
    await handler(getTestEvent({ eventsPath: 'apigw', filename: 'websocket-connect' }));
    const result = await handler(getTestEvent({ eventsPath: 'apigw', filename: 'websocket-disconnect' }));
    expect(result).toEqual({ statusCode: 200 });
    expect(await world.scan(TABLES.connections)).toEqual([]);
  });

  it('refuses a $connect that carries no owner (never reached behind the authorizer)', async () => {
    const event = getTestEvent<Event>({ eventsPath: 'apigw', filename: 'websocket-connect' });
    delete event.requestContext.authorizer;
    const result = await createConnectionsHandler({
      store: new DynamoConnectionStore(world.doc, TABLES.connections),
    })(event);
    expect(result).toEqual({ statusCode: 403 });
    expect(await world.scan(TABLES.connections)).toEqual([]);
  });

  it('answers 400 to something that is not a WebSocket event', async () => {
    expect(await handler({ hello: 'world' })).toEqual({ statusCode: 400 });
  });
});
