import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { SNSClient } from '@aws-sdk/client-sns';
import { logger, metrics, tracer } from '../kit/powertools';
import { documentClient } from '../shared/clients';
import { toolCallLog } from '../shared/tool-call-log';
import { DynamoTicketStore } from './dynamo-ticket-store';
import { needs } from './needs';
import { SnsTicketNotifier } from './sns-notifier';
import { createReportTool } from './tool';

// Cold start: the whole environment (`needs.ts`) read at once, a missing or malformed variable fails the start
// naming every one; clients once per container, from the SDK's standard configuration (AWS_ENDPOINT_URL_*
// points them at local servers).
const env = needs.env.read();
const documents = documentClient();

/** Lambda entry of the report action group (createTicket, getTicket, listTickets). */
export const handler = createReportTool(
  {
    store: new DynamoTicketStore(documents, { tableName: env.ticketsTable }),
    notifier: new SnsTicketNotifier(tracer.captureAWSv3Client(new SNSClient({})), env.notificationsTopic),
    onNotifyFailed: (ticket, error) => {
      // The ticket is stored and returned with notified: false; this is what an alarm watches.
      logger.warn('ticket notification failed; the ticket was created', { ticketId: ticket.ticketId, error });
      metrics.addMetric('TicketNotificationFailed', MetricUnit.Count, 1);
    },
  },
  { recorder: toolCallLog(env.toolLogsTable, documents), unidentified: env.unidentifiedCalls },
);
