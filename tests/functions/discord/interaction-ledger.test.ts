import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoInteractionLedger, rateWindow } from '../../../functions/discord/interaction-ledger';
import { type LocalDynamo, startDynalite } from '../../support/dynalite';
import { perSuite } from '../../support/lifecycle';

const TABLE = 'kass-test-Discord';
const NOW = Date.UTC(2026, 2, 1, 10, 15, 30);
const claim = (overrides: Partial<Parameters<DynamoInteractionLedger['claim']>[0]> = {}) => ({
  interactionId: '1178500000000000001',
  kind: 'ask' as const,
  userId: '1011122233344455566',
  guildId: '1098765432109876543',
  channelId: '1098765432109876550',
  conversationId: 'discord-1098765432109876550-1011122233344455566',
  nowMs: NOW,
  leaseMs: 305_000,
  ...overrides,
});

describe('Class: DynamoInteractionLedger (dynalite)', () => {
  const ddb: LocalDynamo = perSuite(
    () => startDynalite(),
    (d) => d.stop(),
    async (d) => {
      await d.deleteTables([TABLE]).catch(() => undefined);
      await d.createTables([{ name: TABLE, partitionKey: 'pk' }]);
    },
  );
  const doc = () => DynamoDBDocumentClient.from(ddb.client);
  const ledger = (questions = 2, windowSeconds = 60) =>
    new DynamoInteractionLedger(doc(), TABLE, { questions, windowSeconds });
  const item = async (pk: string) =>
    (await doc().send(new GetCommand({ TableName: TABLE, Key: { pk } }))).Item;

  describe('Method: claim', () => {
    it('claims an interaction once; a redelivery is a duplicate', async () => {
      expect(await ledger().claim(claim())).toBe('claimed');
      expect(await ledger().claim(claim({ nowMs: NOW + 1000 }))).toBe('duplicate');
    });

    it('writes the TTL in epoch seconds, one day ahead', async () => {
      await ledger().claim(claim());
      const written = await item('interaction#1178500000000000001');
      expect(written?.expires_at).toBe(Math.floor(NOW / 1000) + 86_400);
      expect(written).toMatchObject({ status: 'IN_PROGRESS', lease_until: NOW + 305_000, kind: 'ask' });
    });

    it('lets a retry take over only after the crashed attempt’s lease, and never a finished one', async () => {
      await ledger().claim(claim());
      expect(await ledger().claim(claim({ nowMs: NOW + 300_000 }))).toBe('duplicate');
      expect(await ledger().claim(claim({ nowMs: NOW + 306_000 }))).toBe('claimed');
      await ledger().finish('1178500000000000001', 'ANSWERED', NOW + 307_000);
      expect(await ledger().claim(claim({ nowMs: NOW + 900_000 }))).toBe('duplicate');
      expect(await item('interaction#1178500000000000001')).toMatchObject({ status: 'ANSWERED' });
    });
  });

  describe('Method: takeQuestion', () => {
    it('allows the configured number per window, then says how long to wait', async () => {
      const l = ledger(2, 60);
      const windowEnd = rateWindow('u', NOW, 60).endsAtMs;
      expect(await l.takeQuestion('1011122233344455566', NOW)).toEqual({ allowed: true });
      expect(await l.takeQuestion('1011122233344455566', NOW)).toEqual({ allowed: true });
      expect(await l.takeQuestion('1011122233344455566', NOW)).toEqual({
        allowed: false,
        retryAfterSeconds: Math.ceil((windowEnd - NOW) / 1000),
      });
      // Another user has their own count; the next window starts afresh.
      expect(await l.takeQuestion('1011122233344455577', NOW)).toEqual({ allowed: true });
      expect(await l.takeQuestion('1011122233344455566', windowEnd)).toEqual({ allowed: true });
    });

    it('keeps the window record an hour past its end (TTL in epoch seconds)', async () => {
      await ledger(2, 60).takeQuestion('1011122233344455566', NOW);
      const window = rateWindow('1011122233344455566', NOW, 60);
      const written = await item(window.key);
      expect(written).toMatchObject({ questions: 1, user_id: '1011122233344455566' });
      expect(written?.expires_at).toBe(Math.floor(window.endsAtMs / 1000) + 3600);
    });
  });

  it('reports an unreachable table as StoreUnavailable', async () => {
    const broken = new DynamoInteractionLedger(doc(), 'no-such-table', { questions: 1, windowSeconds: 60 });
    await expect(broken.claim(claim())).rejects.toMatchObject({ name: 'StoreUnavailable' });
    await expect(broken.takeQuestion('1011122233344455566', NOW)).rejects.toMatchObject({
      name: 'StoreUnavailable',
    });
  });
});
