import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import schema from '../../schemas/report.yaml';
import { requireCaller, unidentifiedCallsFromEnv } from '../kit/caller';
import { requireEnv } from '../kit/env';
import { logger, metrics, tracer } from '../kit/powertools';
import { defineTool, withStatus } from '../kit/tool';
import { toolCallLogFromEnv } from '../shared/tool-call-log';
import { DynamoTicketStore } from './dynamo-ticket-store';
import type { ReportOperations } from './schema.generated';
import { SnsTicketNotifier } from './sns-notifier';
import { createTicket, getTicket, listTickets, type TicketServiceDeps } from './tickets';

/**
 * The `report` action group: tickets (DynamoDB) and new-ticket notifications (SNS). Every operation answers
 * to the verified caller of the session (`ctx.caller`): tickets are filed as the caller and read back by
 * their owner (or an operator); a call naming no caller is refused unless UNIDENTIFIED_TOOL_CALLS=operator.
 *
 * Environment: TICKETS_TABLE_NAME, NOTIFICATIONS_TOPIC_ARN, TOOL_LOGS_TABLE_NAME (one ToolLogs item per
 * call), UNIDENTIFIED_TOOL_CALLS (optional), plus the Powertools variables the house function sets. Clients use the SDK's standard
 * configuration, so AWS_ENDPOINT_URL_DYNAMODB and AWS_ENDPOINT_URL_SNS point them elsewhere (local
 * servers, tests).
 */

const tableName = requireEnv('TICKETS_TABLE_NAME');
const unidentified = unidentifiedCallsFromEnv();
const topicArn = requireEnv('NOTIFICATIONS_TOPIC_ARN');
const documents = DynamoDBDocumentClient.from(tracer.captureAWSv3Client(new DynamoDBClient({})), {
  marshallOptions: { removeUndefinedValues: true },
});
const sns = tracer.captureAWSv3Client(new SNSClient({}));
const recorder = toolCallLogFromEnv(documents);

const service: TicketServiceDeps = {
  store: new DynamoTicketStore(documents, { tableName }),
  notifier: new SnsTicketNotifier(sns, topicArn),
  onNotifyFailed: (ticket, error) => {
    // The ticket is stored and returned with notified: false; this is what an alarm watches.
    logger.warn('ticket notification failed; the ticket was created', { ticketId: ticket.ticketId, error });
    metrics.addMetric('TicketNotificationFailed', MetricUnit.Count, 1);
  },
};

export const handler = defineTool<ReportOperations>({
  name: 'report',
  schema,
  recorder,
  operations: {
    createTicket: async ({ body }, ctx) => {
      const { userId: owner } = requireCaller(ctx.caller, unidentified);
      const created = await createTicket(service, body, { owner, sessionId: ctx.sessionId });
      if (created.replayed) ctx.logger.info('repeated createTicket answered with the earlier ticket');
      const { ticket, notified } = created;
      return withStatus(201, { ...ticket, ...(notified === undefined ? {} : { notified }) });
    },
    getTicket: async ({ params }, ctx) =>
      getTicket(service, params.ticketId, requireCaller(ctx.caller, unidentified)),
    listTickets: async ({ params }, ctx) =>
      listTickets(service, params, requireCaller(ctx.caller, unidentified)),
  },
});
