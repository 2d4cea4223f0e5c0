import {
  epochSeconds,
  IDEMPOTENCY_ITEM_PATTERN,
  IDEMPOTENCY_TTL_SECONDS,
  idempotencyExpiry,
  idempotencyItemId,
  requestKey,
} from '../../../action-groups/report/idempotency';
import { normalizeTicketRequest } from '../../../action-groups/report/ticket';

const REQUEST = normalizeTicketRequest({
  title: 'VPN drops',
  description: 'Every 10 minutes.',
  severity: 'high',
  reporterName: 'Ana Lima',
});
const ANA = 'cognito:ana';

describe('Module: idempotency', () => {
  describe('Function: idempotencyExpiry', () => {
    it('is 24 hours ahead, in epoch SECONDS (the unit DynamoDB TTL reads)', () => {
      // Prepare
      const now = new Date('2025-05-01T12:00:00.750Z');

      // Act
      const expiresAt = idempotencyExpiry(now);

      // Assess
      expect(IDEMPOTENCY_TTL_SECONDS).toBe(86_400);
      expect(expiresAt).toBe(Date.parse('2025-05-02T12:00:00Z') / 1000);
      expect(Number.isInteger(expiresAt)).toBe(true);
      // Seconds, not milliseconds: a millisecond value would be ~50,000 years away and never expire.
      expect(expiresAt).toBeLessThan(10_000_000_000);
      expect(expiresAt - epochSeconds(now)).toBe(86_400);
    });
  });

  describe('Function: requestKey', () => {
    it('is a stable SHA-256 hex of owner, session and request', () => {
      // Act
      const key = requestKey(ANA, 'session-1', REQUEST);

      // Assess
      expect(key).toMatch(/^[0-9a-f]{64}$/);
      expect(requestKey(ANA, 'session-1', { ...REQUEST })).toBe(key);
      expect(idempotencyItemId(key)).toMatch(IDEMPOTENCY_ITEM_PATTERN);
    });

    it.each([
      { name: 'another owner', owner: 'cognito:bo', session: 'session-1', patch: {} },
      { name: 'another session', owner: ANA, session: 'session-2', patch: {} },
      { name: 'another title', owner: ANA, session: 'session-1', patch: { title: 'VPN drops!' } },
      { name: 'another severity', owner: ANA, session: 'session-1', patch: { severity: 'low' as const } },
      { name: 'another name', owner: ANA, session: 'session-1', patch: { reporterName: 'Bo' } },
      { name: 'a conversation id', owner: ANA, session: 'session-1', patch: { conversationId: 'c-1' } },
    ])('changes with $name', ({ owner, session, patch }) => {
      expect(requestKey(owner, session, { ...REQUEST, ...patch })).not.toBe(
        requestKey(ANA, 'session-1', REQUEST),
      );
    });

    it('cannot be forged by moving text between fields', () => {
      // Prepare: the same characters, split differently
      const a = { ...REQUEST, title: 'a|b', description: 'c' };
      const b = { ...REQUEST, title: 'a', description: 'b|c' };

      // Assess
      expect(requestKey(ANA, 's', a)).not.toBe(requestKey(ANA, 's', b));
      expect(requestKey('a|b', 'c', REQUEST)).not.toBe(requestKey('a', 'b|c', REQUEST));
    });

    it('treats composed and decomposed accents as the same request', () => {
      // Act / Assess
      expect(requestKey(ANA, 's', { ...REQUEST, title: 'Caf\u00e9' })).toBe(
        requestKey(ANA, 's', { ...REQUEST, title: 'Cafe\u0301' }),
      );
    });
  });
});
