import { createHmac, timingSafeEqual } from 'node:crypto';
import { KMSClient, VerifyMacCommand } from '@aws-sdk/client-kms';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import type { AgentApiEvent } from '../../../action-groups/kit/event';
import { type GatewayToolResult, isGatewayResult } from '../../../action-groups/kit/gateway/call';
import { identityBaggage, mintIdentity } from '../../../action-groups/kit/gateway/identity';
import type { ToolHandler } from '../../../action-groups/kit/tool';
import { type LocalDynamo, startDynalite } from '../../support/dynalite';
import { agentApiTestEvent } from '../../support/events';
import { setEnv } from '../../support/invoke-agent-server';
import { bodyOf, reportHandlerEnv, statusOf, ticketsTableSpec, toolLogsTableSpec } from './helpers';

/**
 * The report tool's ownership rules on the AgentCore engine: the same bundled-style handler, now called as a
 * gateway Lambda target whose only identity is the chat API's signed assertion (KMS VerifyMac, mocked with a
 * real HMAC). A ticket Ana filed through Classic is invisible to Bob through the gateway, exactly as on Classic.
 */

const TABLE = 'kass-tickets-gateway-ownership';
const TOOL_LOGS = 'kass-tool-logs-gateway-ownership';
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:kass-ticket-events';
const KEY_ARN = 'arn:aws:kms:us-east-1:123456789012:key/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d';
const SECRET = 'the-identity-key';

const ANA = 'cognito:7d4e2b90-1111-4c3a-9e0b-2f6a8c1d5e77';
const BOB = 'cognito:0c9a1e2f-2222-4d5b-8f6a-1e2d3c4b5a69';

const mac = (message: Uint8Array) => createHmac('sha256', SECRET).update(message).digest();
const signer = { sign: async (message: Uint8Array) => mac(message) };

/** A gateway call's Lambda context, with the signed identity of `userId` (or none). */
async function gatewayContext(operationId: string, userId?: string): Promise<Context> {
  const token = userId ? await mintIdentity(signer, { userId, channel: 'websocket' }) : undefined;
  return {
    awsRequestId: `req-${operationId}`,
    functionName: 'kass-report',
    getRemainingTimeInMillis: () => 30_000,
    clientContext: {
      custom: {
        bedrockAgentCoreToolName: `report___${operationId}`,
        bedrockAgentCoreGatewayId: 'kass-dev-gw-abcdefghij',
        bedrockAgentCoreTargetId: 'ABCDEFGHIJ',
        bedrockAgentCoreMessageVersion: '1.0',
        ...(token ? { bedrockAgentCorePropagatedHeaders: { baggage: identityBaggage(token) } } : {}),
      },
    },
  } as unknown as Context;
}

const textOf = (result: unknown): string => {
  expect(isGatewayResult(result)).toBe(true);
  return (result as GatewayToolResult).content.map((c) => c.text).join('');
};

describe('Report tool on the AgentCore gateway: every ticket answers to the verified caller', () => {
  const sns = mockClient(SNSClient);
  const kms = mockClient(KMSClient);
  let ddb: LocalDynamo;
  let handler: ToolHandler;
  let restoreEnv: () => void;

  beforeAll(async () => {
    ddb = await startDynalite({ tables: [toolLogsTableSpec(TOOL_LOGS)] });
    restoreEnv = setEnv({
      ...reportHandlerEnv(ddb, { tickets: TABLE, toolLogs: TOOL_LOGS, topic: TOPIC }),
      IDENTITY_KEY_ARN: KEY_ARN,
      UNIDENTIFIED_TOOL_CALLS: 'refuse',
    });
    ({ handler } = await import('../../../action-groups/report/handler'));
  });

  afterAll(async () => {
    await ddb.stop();
    restoreEnv();
  });

  beforeEach(async () => {
    await ddb.createTables([ticketsTableSpec(TABLE)]);
    sns.reset();
    sns.on(PublishCommand).resolves({ MessageId: 'msg-1' });
    kms.reset();
    kms.on(VerifyMacCommand).callsFake((input: { Message: Uint8Array; Mac: Uint8Array }) => {
      const expected = mac(input.Message);
      const given = Buffer.from(input.Mac);
      return { MacValid: given.length === expected.length && timingSafeEqual(given, expected) };
    });
  });

  afterEach(async () => {
    await ddb.deleteTables([TABLE]);
  });

  /** Ana files a ticket through Classic (the gateway never runs writes). */
  async function anaFiles(): Promise<string> {
    const fixture = agentApiTestEvent('openapi-post-body');
    const event: AgentApiEvent = {
      ...fixture,
      sessionAttributes: { userId: ANA },
      requestBody: {
        content: {
          'application/json': {
            properties: [
              { name: 'title', type: 'string', value: 'VPN drops every 10 minutes' },
              { name: 'description', type: 'string', value: 'Since Monday the client disconnects.' },
              { name: 'severity', type: 'string', value: 'high' },
            ],
          },
        },
      },
    };
    const created = await handler(event);
    expect(statusOf(created)).toBe(201);
    return bodyOf<{ ticketId: string }>(created).ticketId;
  }

  it('lists and reads the caller’s own tickets, and none of another user’s', async () => {
    // Prepare
    const ticketId = await anaFiles();
    // Act
    const anaList = textOf(await handler({}, await gatewayContext('listTickets', ANA)));
    const bobList = textOf(await handler({}, await gatewayContext('listTickets', BOB)));
    const anaGet = textOf(await handler({ ticketId }, await gatewayContext('getTicket', ANA)));
    const bobGet = textOf(await handler({ ticketId }, await gatewayContext('getTicket', BOB)));
    // Assess
    expect(anaList).toContain(ticketId);
    expect(anaGet).toContain('VPN drops every 10 minutes');
    expect(bobList).not.toContain(ticketId);
    expect(bobGet).not.toContain('VPN drops');
    expect(bobGet).toMatch(/No ticket has the id/);
  });

  it('refuses a call whose identity is missing or signed with another key', async () => {
    // Prepare
    const ticketId = await anaFiles();
    const forged = await gatewayContext('getTicket', ANA);
    const custom = (forged.clientContext as { custom: Record<string, unknown> }).custom;
    const token = (await mintIdentity(
      { sign: async (m) => createHmac('sha256', 'not-the-key').update(m).digest() },
      {
        userId: ANA,
      },
    )) as string;
    custom.bedrockAgentCorePropagatedHeaders = { baggage: identityBaggage(token) };
    // Act
    const none = await handler({ ticketId }, await gatewayContext('getTicket'));
    const wrongKey = await handler({ ticketId }, forged);
    // Assess
    for (const answer of [none, wrongKey]) {
      expect((answer as GatewayToolResult).isError).toBe(true);
      expect(textOf(answer)).toMatch(/signed-in user/);
      expect(textOf(answer)).not.toContain('VPN drops');
    }
  });
});
