import { PublishCommand, SNSClient, ThrottledException } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { DependencyUnavailable } from '../../../action-groups/kit/errors';
import {
  MAX_SUBJECT_CHARS,
  notificationMessage,
  notificationSubject,
  publishInput,
  SnsTicketNotifier,
  toAsciiLine,
} from '../../../action-groups/report/sns-notifier';
import type { Ticket } from '../../../action-groups/report/ticket';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:kass-ticket-events';

const TICKET: Ticket = {
  ticketId: 'TCK-48213907',
  title: 'VPN drops every 10 minutes',
  description: 'Since Monday the VPN client disconnects.\nSteps: connect, wait.',
  severity: 'high',
  status: 'open',
  owner: 'cognito:7d4e2b90-1111-4c3a-9e0b-2f6a8c1d5e77',
  reporterName: 'Ana Lima',
  conversationId: 'conv-42',
  createdAt: '2025-05-01T12:00:00.000Z',
  updatedAt: '2025-05-01T12:00:00.000Z',
};

describe('Module: sns-notifier', () => {
  describe('Function: notificationSubject', () => {
    it('names severity, id and title', () => {
      expect(notificationSubject(TICKET)).toBe('[HIGH] TCK-48213907: VPN drops every 10 minutes');
    });

    it.each([
      { name: 'a very long title', title: 'x'.repeat(500) },
      { name: 'line breaks and control characters', title: 'a\r\nb\tc\u0000d\u2028e'.repeat(40) },
      { name: 'non-Latin text only', title: '网络每十分钟断开一次' },
      { name: 'emoji', title: '🔥'.repeat(120) },
    ])('stays below 100 printable ASCII characters for $name', ({ title }) => {
      // Act
      const subject = notificationSubject({ ...TICKET, title });

      // Assess
      expect(subject.length).toBeLessThanOrEqual(MAX_SUBJECT_CHARS);
      expect(subject).toMatch(/^[\x20-\x7E]+$/);
      expect(subject).toMatch(/^\[HIGH\] TCK-48213907/);
    });

    it('keeps Latin text readable by dropping accents', () => {
      expect(toAsciiLine('Café: ÜBER naïve   résumé')).toBe('Cafe: UBER naive resume');
      expect(notificationSubject({ ...TICKET, title: '网络' })).toBe('[HIGH] TCK-48213907 new ticket');
    });

    it('marks a cut title with an ellipsis', () => {
      // Act
      const subject = notificationSubject({ ...TICKET, title: 'word '.repeat(40) });

      // Assess
      expect(subject.endsWith('word...')).toBe(true);
      expect(subject.length).toBeGreaterThan(MAX_SUBJECT_CHARS - 5);
      expect(subject.length).toBeLessThanOrEqual(MAX_SUBJECT_CHARS);
    });
  });

  describe('Function: notificationMessage', () => {
    it('lists every field and keeps the description as written', () => {
      // Act
      const message = notificationMessage({ ...TICKET, title: 'Café ☕' });

      // Assess
      expect(message).toBe(
        [
          'New support ticket TCK-48213907',
          '',
          'Title: Café ☕',
          'Severity: high',
          'Status: open',
          'Reporter: cognito:7d4e2b90-1111-4c3a-9e0b-2f6a8c1d5e77',
          'Name given in the chat (not verified): Ana Lima',
          'Conversation: conv-42',
          'Created: 2025-05-01T12:00:00.000Z',
          '',
          'Description:',
          'Since Monday the VPN client disconnects.\nSteps: connect, wait.',
        ].join('\n'),
      );
    });

    it('leaves out a missing conversation and name', () => {
      const { conversationId: _, reporterName: __, ...rest } = TICKET;
      expect(notificationMessage(rest)).not.toContain('Conversation:');
      expect(notificationMessage(rest)).not.toContain('Name given');
    });
  });

  describe('Class: SnsTicketNotifier', () => {
    const sns = mockClient(SNSClient);
    beforeEach(() => sns.reset());

    it('publishes one message with a severity attribute', async () => {
      // Prepare
      sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
      const notifier = new SnsTicketNotifier(new SNSClient({}), TOPIC);

      // Act
      await notifier.ticketCreated(TICKET);

      // Assess
      expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
      expect(sns).toHaveReceivedCommandWith(PublishCommand, publishInput(TOPIC, TICKET));
      expect(sns).toHaveReceivedCommandWith(PublishCommand, {
        TopicArn: TOPIC,
        MessageAttributes: { severity: { DataType: 'String', StringValue: 'high' } },
      });
    });

    it('maps SNS throttling to a 503 without the SDK message', async () => {
      // Prepare
      sns.on(PublishCommand).rejects(
        new ThrottledException({
          message: `Rate exceeded on ${TOPIC}`,
          $metadata: { httpStatusCode: 400 },
        }),
      );
      const notifier = new SnsTicketNotifier(new SNSClient({}), TOPIC);

      // Act
      const result = notifier.ticketCreated(TICKET);

      // Assess
      await expect(result).rejects.toBeInstanceOf(DependencyUnavailable);
      await expect(result).rejects.toThrow('The notification service is busy right now.');
    });
  });
});
