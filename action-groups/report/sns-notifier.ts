import { PublishCommand, type PublishCommandInput, type SNSClient } from '@aws-sdk/client-sns';
import { toDependencyError } from './aws-errors';
import type { TicketNotifier } from './ports';
import type { Ticket } from './ticket';

/**
 * TicketNotifier on SNS: one message per new ticket to the notifications topic (its subscriptions, e.g.
 * e-mail or a chat webhook relay, come from config). Subscribers can filter on the `severity` attribute.
 */

/**
 * SNS requires a subject "less than 100 characters" with no line breaks or control characters (e-mail uses
 * it as the subject line). Older documentation also required ASCII, so the subject is kept to printable
 * ASCII: the title's accents are dropped ("Café" → "Cafe") and other characters removed.
 */
export const MAX_SUBJECT_CHARS = 99;

const LABELS = { service: 'The notification service' } as const;

/** Printable ASCII only, whitespace collapsed; accents removed first so Latin text stays readable. */
export function toAsciiLine(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/[^\x20-\x7E]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** `[HIGH] TCK-48213907: VPN drops every 10 minutes`, cut with "..." to at most 99 ASCII characters. */
export function notificationSubject(ticket: Pick<Ticket, 'ticketId' | 'severity' | 'title'>): string {
  const head = toAsciiLine(`[${ticket.severity.toUpperCase()}] ${ticket.ticketId}`).slice(
    0,
    MAX_SUBJECT_CHARS,
  );
  const title = toAsciiLine(ticket.title);
  if (title === '') return `${head} new ticket`.slice(0, MAX_SUBJECT_CHARS);
  const subject = `${head}: ${title}`;
  return subject.length <= MAX_SUBJECT_CHARS
    ? subject
    : `${subject.slice(0, MAX_SUBJECT_CHARS - 3).trimEnd()}...`;
}

/** The message body: every ticket field on its own line, then the description (Unicode kept). */
export function notificationMessage(ticket: Ticket): string {
  return [
    `New support ticket ${ticket.ticketId}`,
    '',
    `Title: ${ticket.title}`,
    `Severity: ${ticket.severity}`,
    `Status: ${ticket.status}`,
    `Reporter: ${ticket.owner ?? '(unknown)'}`,
    ...(ticket.reporterName === undefined
      ? []
      : [`Name given in the chat (not verified): ${ticket.reporterName}`]),
    ...(ticket.conversationId === undefined ? [] : [`Conversation: ${ticket.conversationId}`]),
    `Created: ${ticket.createdAt}`,
    '',
    'Description:',
    ticket.description,
  ].join('\n');
}

/** The Publish request for a new ticket. */
export function publishInput(topicArn: string, ticket: Ticket): PublishCommandInput {
  return {
    TopicArn: topicArn,
    Subject: notificationSubject(ticket),
    Message: notificationMessage(ticket),
    MessageAttributes: {
      severity: { DataType: 'String', StringValue: ticket.severity },
    },
  };
}

export class SnsTicketNotifier implements TicketNotifier {
  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string,
  ) {}

  async ticketCreated(ticket: Ticket): Promise<void> {
    try {
      await this.client.send(new PublishCommand(publishInput(this.topicArn, ticket)));
    } catch (err) {
      throw toDependencyError(err, LABELS);
    }
  }
}
