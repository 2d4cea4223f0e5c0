import {
  assertTicketId,
  buildTicket,
  cleanText,
  cleanTitle,
  newTicketId,
  normalizeTicketRequest,
  parseSeverity,
  parseStatus,
  TICKET_ID_PATTERN,
} from '../../../action-groups/report/ticket';
import { fieldsOf } from './helpers';

const REQUEST = {
  title: 'VPN drops every 10 minutes',
  description: 'Since Monday the VPN client disconnects.',
  severity: 'high',
  reporterName: 'Ana Lima',
};
const OWNER = 'cognito:7d4e2b90-1111-4c3a-9e0b-2f6a8c1d5e77';

describe('Module: ticket', () => {
  describe('Function: newTicketId', () => {
    it('draws 8-digit ids in the documented format', () => {
      // Act
      const ids = Array.from({ length: 500 }, newTicketId);

      // Assess
      for (const id of ids) {
        expect(id).toMatch(TICKET_ID_PATTERN);
        expect(id).toMatch(/^TCK-\d{8}$/);
      }
      expect(new Set(ids).size).toBeGreaterThan(495);
    });
  });

  describe('Function: normalizeTicketRequest', () => {
    it('trims fields, collapses the title to one line and lower-cases the severity', () => {
      // Act
      const normalized = normalizeTicketRequest({
        title: '  VPN\n drops\t\u00a0every   10 minutes ',
        description: '\n  Line one\n\n  line two  \n',
        severity: ' HIGH ',
        reporterName: ' Ana \n Lima ',
        conversationId: ' conv-1 ',
      });

      // Assess
      expect(normalized).toEqual({
        title: 'VPN drops every 10 minutes',
        description: 'Line one\n\n  line two',
        severity: 'high',
        reporterName: 'Ana Lima',
        conversationId: 'conv-1',
      });
    });

    it('drops a blank conversationId and a blank name', () => {
      // Act
      const normalized = normalizeTicketRequest({ ...REQUEST, conversationId: '   ', reporterName: ' ' });

      // Assess
      expect(normalized).not.toHaveProperty('conversationId');
      expect(normalized).not.toHaveProperty('reporterName');
    });

    it('reports every field that is blank or invalid, by name', () => {
      // Act
      const fields = fieldsOf(() =>
        normalizeTicketRequest({ title: ' \n ', description: '\t', severity: 'urgent' }),
      );

      // Assess
      expect(fields).toEqual([
        'title: must not be blank',
        'description: must not be blank',
        expect.stringMatching(/^severity: must be one of low, medium, high, critical \(got "urgent"\)/),
      ]);
    });

    it('replaces lone surrogates, which DynamoDB cannot store, and keeps valid pairs', () => {
      // Act
      const text = cleanText('a\uD800b \uD83D\uDE00 c\uDC00');

      // Assess
      expect(text).toBe('a\uFFFDb \u{1F600} c\uFFFD');
      expect(cleanTitle(' x \u2028 y ')).toBe('x y');
    });

    it('removes invisible control characters but keeps tabs and line breaks in descriptions', () => {
      // Act / Assess
      expect(cleanText('\u0000a\u0007b\tc\r\nd\u001Be\u007F\u0085f\u0000')).toBe('ab\tc\r\ndef');
      expect(cleanTitle('a\u0000\tb\nc')).toBe('a b c');
    });
  });

  describe('Function: parseSeverity / parseStatus', () => {
    it.each([
      ['low', 'low'],
      ['Critical', 'critical'],
      [' MEDIUM ', 'medium'],
    ])('accepts severity %j', (input, expected) => {
      expect(parseSeverity(input)).toBe(expected);
    });

    it.each([
      ['open', 'open'],
      ['In Progress', 'in_progress'],
      ['in-progress', 'in_progress'],
      ['CLOSED', 'closed'],
    ])('accepts status %j', (input, expected) => {
      expect(parseStatus(input)).toBe(expected);
    });

    it('names the field and the allowed values', () => {
      expect(fieldsOf(() => parseStatus('done'))).toEqual([
        'status: must be one of open, in_progress, resolved, closed (got "done"), or be left out for all statuses.',
      ]);
    });
  });

  describe('Function: buildTicket', () => {
    it('builds an open ticket of its owner whose updatedAt is its createdAt', () => {
      // Act
      const ticket = buildTicket(
        normalizeTicketRequest(REQUEST),
        OWNER,
        'TCK-12345678',
        '2025-05-01T12:00:00.000Z',
      );

      // Assess
      expect(ticket).toEqual({
        ticketId: 'TCK-12345678',
        ...REQUEST,
        owner: OWNER,
        status: 'open',
        createdAt: '2025-05-01T12:00:00.000Z',
        updatedAt: '2025-05-01T12:00:00.000Z',
      });
    });
  });

  describe('Function: assertTicketId', () => {
    it.each(['TCK-1', 'TCK-1042', 'TCK-9999999999'])('accepts %s', (id) => {
      expect(() => assertTicketId(id)).not.toThrow();
    });

    it.each(['TCK-0', 'TCK-01', 'tck-1', 'TCK-12345678901', 'IDEMPOTENCY#ab', ''])('rejects %j', (id) => {
      expect(fieldsOf(() => assertTicketId(id))[0]).toMatch(
        /^ticketId: must be TCK- followed by 1 to 10 digits/,
      );
    });
  });
});
