import {
  InternalServerError,
  ProvisionedThroughputExceededException,
  ResourceNotFoundException,
  ThrottlingException,
} from '@aws-sdk/client-dynamodb';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { buildAgentEvent } from '../../../action-groups/kit/event-builder';
import type { ToolHandler } from '../../../action-groups/kit/tool';
import schemaText from '../../../schemas/report.yaml';
import { bodyOf, statusOf } from './helpers';

// DynamoDB is mocked here (dynalite cannot throttle); the handler and its adapters are real.
const TABLE = 'kass-tickets-prod-Tickets-1A2B3C';
const SDK_TEXT = /kass-tickets|arn:aws|throughput|Requested resource|Rate of requests|\$metadata|Exception/i;

describe('Handler: report action group when DynamoDB fails', () => {
  const ddb = mockClient(DynamoDBDocumentClient);
  const sns = mockClient(SNSClient);
  let handler: ToolHandler;

  beforeAll(async () => {
    process.env.TICKETS_TABLE_NAME = TABLE;
    process.env.NOTIFICATIONS_TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:kass-ticket-events';
    process.env.TOOL_LOGS_TABLE_NAME = 'kass-tickets-prod-ToolLogs-4D5E6F';
    ({ handler } = await import('../../../action-groups/report/handler'));
  });

  afterAll(() => {
    delete process.env.TICKETS_TABLE_NAME;
    delete process.env.NOTIFICATIONS_TOPIC_ARN;
    delete process.env.TOOL_LOGS_TABLE_NAME;
  });

  beforeEach(() => {
    ddb.reset();
    sns.reset();
  });

  const CALLER = { userId: 'cognito:ana' };
  const getEvent = buildAgentEvent({
    group: 'report',
    schemaText,
    operationId: 'getTicket',
    params: { ticketId: 'TCK-1042' },
    sessionAttributes: CALLER,
  });
  const createEvent = buildAgentEvent({
    group: 'report',
    schemaText,
    operationId: 'createTicket',
    body: {
      title: 'VPN drops',
      description: 'Every 10 minutes.',
      severity: 'high',
    },
    sessionAttributes: CALLER,
  });
  const listEvent = buildAgentEvent({
    group: 'report',
    schemaText,
    operationId: 'listTickets',
    sessionAttributes: CALLER,
  });

  it.each([
    {
      name: 'ProvisionedThroughputExceeded on getTicket',
      event: getEvent,
      mock: () =>
        ddb.on(GetCommand).rejects(
          new ProvisionedThroughputExceededException({
            message: `The level of configured provisioned throughput for the table was exceeded: ${TABLE}`,
            $metadata: { httpStatusCode: 400, requestId: 'R1' },
          }),
        ),
    },
    {
      name: 'ThrottlingException on listTickets',
      event: listEvent,
      mock: () =>
        ddb.on(QueryCommand).rejects(
          new ThrottlingException({
            message: `Rate of requests exceeds the allowed throughput on ${TABLE}`,
            $metadata: { httpStatusCode: 400 },
          }),
        ),
    },
    {
      name: 'throttling while claiming a createTicket request',
      event: createEvent,
      mock: () =>
        ddb.on(PutCommand).rejects(
          new ProvisionedThroughputExceededException({
            message: `Throughput exceeded for ${TABLE}`,
            $metadata: { httpStatusCode: 400 },
          }),
        ),
    },
  ])('answers $name with a 503 and a safe message', async ({ event, mock }) => {
    // Prepare
    mock();

    // Act
    const response = await handler(event);

    // Assess
    expect(statusOf(response)).toBe(503);
    expect(bodyOf(response)).toEqual({
      error: 'The ticket database is busy right now. Wait a few seconds and call the tool again.',
      retryAfterSeconds: 5,
    });
    expect(response.response.responseBody['application/json'].body).not.toMatch(SDK_TEXT);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 0);
  });

  it('answers a DynamoDB server error with a retryable 503', async () => {
    // Prepare
    ddb
      .on(GetCommand)
      .rejects(new InternalServerError({ message: 'Internal error', $metadata: { httpStatusCode: 500 } }));

    // Act
    const response = await handler(getEvent);

    // Assess
    expect(statusOf(response)).toBe(503);
    expect(bodyOf(response)).toMatchObject({ retryAfterSeconds: 30 });
  });

  it('answers another AWS error (missing table) with a 502 that leaks nothing', async () => {
    // Prepare
    ddb.on(GetCommand).rejects(
      new ResourceNotFoundException({
        message: `Requested resource not found: Table: ${TABLE} not found`,
        $metadata: { httpStatusCode: 400 },
      }),
    );

    // Act
    const response = await handler(getEvent);

    // Assess
    expect(statusOf(response)).toBe(502);
    expect(bodyOf(response)).toEqual({
      error:
        'The ticket database rejected the request. Try again later; if it keeps failing, tell the user the ticket system has a problem.',
    });
    expect(response.response.responseBody['application/json'].body).not.toMatch(SDK_TEXT);
  });

  it('answers a bug (not an AWS error) with the generic 500', async () => {
    // Prepare
    ddb.on(GetCommand).rejects(new TypeError("Cannot read properties of undefined (reading 'Item')"));

    // Act
    const response = await handler(getEvent);

    // Assess
    expect(statusOf(response)).toBe(500);
    expect(bodyOf(response)).toEqual({ error: 'The tool failed unexpectedly. Try again later.' });
  });
});
