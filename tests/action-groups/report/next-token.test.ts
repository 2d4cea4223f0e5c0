import {
  cursorAfter,
  decodeNextToken,
  encodeNextToken,
  type TokenScope,
} from '../../../action-groups/report/next-token';
import type { Ticket } from '../../../action-groups/report/ticket';
import { fieldsOf } from './helpers';

const TICKET: Ticket = {
  ticketId: 'TCK-12345678',
  title: 't',
  description: 'd',
  severity: 'low',
  status: 'open',
  owner: 'cognito:ana',
  createdAt: '2025-05-01T12:00:00.000Z',
  updatedAt: '2025-05-01T12:00:00.000Z',
};

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('Module: next-token', () => {
  describe('Function: cursorAfter', () => {
    it.each([
      { by: 'owner' as const, keys: ['createdAt', 'owner', 'ticketId'] },
      { by: 'status' as const, keys: ['createdAt', 'status', 'ticketId'] },
      { by: 'recent' as const, keys: ['ticketId'] },
    ])('takes the $by index key from a ticket', ({ by, keys }) => {
      expect(Object.keys(cursorAfter(TICKET, by)).sort()).toEqual(keys);
    });
  });

  describe('Function: encodeNextToken / decodeNextToken', () => {
    it.each<TokenScope>([
      { by: 'owner', owner: 'cognito:ana' },
      { by: 'owner', owner: 'cognito:ana', status: 'closed' },
      { by: 'status', status: 'open' },
      { by: 'recent' },
    ])('round-trips a $by position as URL-safe base64', (scope) => {
      // Prepare
      const cursor = cursorAfter(TICKET, scope.by);

      // Act
      const token = encodeNextToken(cursor);

      // Assess
      expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(decodeNextToken(token, scope)).toEqual(cursor);
    });

    it('accepts a scan position on an idempotency record (a scan may stop there)', () => {
      // Prepare
      const token = b64({ ticketId: `IDEMPOTENCY#${'a'.repeat(64)}` });

      // Act / Assess
      expect(decodeNextToken(token, { by: 'recent' })).toEqual({ ticketId: `IDEMPOTENCY#${'a'.repeat(64)}` });
    });

    it.each([
      { name: 'not base64url', token: 'abc$%^', reason: 'is not a token' },
      { name: 'not JSON', token: Buffer.from('{oops').toString('base64url'), reason: 'is damaged' },
      { name: 'truncated', token: b64({ ticketId: 'TCK-12345678' }).slice(0, 10), reason: 'is damaged' },
      { name: 'a JSON array', token: b64(['TCK-1']), reason: 'is damaged' },
      { name: 'JSON null', token: b64(null), reason: 'is damaged' },
      { name: 'a number value', token: b64({ ticketId: 5 }), reason: 'is damaged' },
      {
        name: 'an extra key',
        token: b64({ ticketId: 'TCK-1', x: 'y' }),
        reason: 'belongs to a different list',
      },
      { name: 'a foreign key', token: b64({ ticketId: 'ADMIN#1' }), reason: 'is damaged' },
      { name: 'a huge value', token: b64({ ticketId: `TCK-${'1'.repeat(600)}` }), reason: 'is damaged' },
    ])('rejects a token that is $name with a 400 naming nextToken', ({ token, reason }) => {
      // Act
      const fields = fieldsOf(() => decodeNextToken(token, { by: 'recent' }));

      // Assess
      expect(fields).toHaveLength(1);
      expect(fields[0]).toContain(`nextToken: ${reason}`);
      expect(fields[0]).toContain('without nextToken');
    });

    it('rejects a token from another kind of list or another owner', () => {
      // Prepare
      const anaToken = encodeNextToken(cursorAfter(TICKET, 'owner'));

      // Act / Assess
      expect(fieldsOf(() => decodeNextToken(anaToken, { by: 'status', status: 'open' }))[0]).toMatch(
        /belongs to a different list/,
      );
      expect(fieldsOf(() => decodeNextToken(anaToken, { by: 'owner', owner: 'cognito:bo' }))[0]).toMatch(
        /belongs to a different list/,
      );
      const openToken = encodeNextToken(cursorAfter(TICKET, 'status'));
      expect(fieldsOf(() => decodeNextToken(openToken, { by: 'status', status: 'closed' }))[0]).toMatch(
        /belongs to a different list/,
      );
    });

    it('rejects an index position whose createdAt is not an instant', () => {
      // Prepare
      const token = b64({ ticketId: 'TCK-1', status: 'open', createdAt: 'yesterday' });

      // Act / Assess
      expect(fieldsOf(() => decodeNextToken(token, { by: 'status', status: 'open' }))[0]).toMatch(
        /is damaged/,
      );
    });
  });
});
