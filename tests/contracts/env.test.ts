import fc from 'fast-check';
import {
  choice,
  EnvError,
  envRecord,
  envVariants,
  flag,
  int,
  list,
  mergeEnv,
  optionalText,
  requiredList,
  text,
} from '../../contracts/env';
import { AGENT_ENV, CHAT_ENV } from '../../contracts/function-env';

const RECORD = envRecord({
  table: text('TABLE_NAME'),
  ttlDays: int('TTL_DAYS'),
  origins: list('ORIGINS'),
  mode: choice('MODE', ['ask', 'deny']),
  url: optionalText('URL'),
  memory: flag('MEMORY'),
});

describe('Module: contracts/env', () => {
  describe('Function: envRecord', () => {
    it('reads every variable into its typed value', () => {
      // Act
      const values = RECORD.read({
        TABLE_NAME: 't',
        TTL_DAYS: '30',
        ORIGINS: 'a, ,b',
        MODE: 'ask',
        MEMORY: 'on',
      });

      // Assess
      expect(values).toEqual({
        table: 't',
        ttlDays: 30,
        origins: ['a', 'b'],
        mode: 'ask',
        url: undefined,
        memory: true,
      });
    });

    it('reports every missing and malformed variable in one error, each named', () => {
      // Act
      const error = (() => {
        try {
          RECORD.read({ TTL_DAYS: 'soon', MODE: 'maybe' });
        } catch (e) {
          return e;
        }
      })() as EnvError;

      // Assess
      expect(error).toBeInstanceOf(EnvError);
      expect(error.missing).toEqual(['TABLE_NAME']);
      expect(error.problems).toEqual([
        "Missing environment variable TABLE_NAME: the function cannot start without it. Set it in the function's construct.",
        'Environment variable TTL_DAYS must be a positive whole number (got "soon")',
        'Environment variable MODE must be one of ask, deny (got "maybe")',
      ]);
      expect(error.message).toContain('3 environment variables are missing or malformed:');
      for (const problem of error.problems) expect(error.message).toContain(problem);
    });

    it('keeps the one problem as the whole message when there is one', () => {
      expect(() => RECORD.read({ TTL_DAYS: '1', MODE: 'ask' })).toThrow(
        /^Missing environment variable TABLE_NAME: the function cannot start without it/,
      );
    });

    it.each(['', '   '])('treats a blank required variable (%p) as missing', (blank) => {
      expect(RECORD.check({ TABLE_NAME: blank, TTL_DAYS: '1', MODE: 'ask' })).toMatchObject({
        ok: false,
        missing: ['TABLE_NAME'],
      });
    });

    it('turns values into the environment a construct sets, leaving out optional ones not given', () => {
      expect(RECORD.environment({ table: 't', ttlDays: 7, origins: ['a', 'b'], mode: 'deny' })).toEqual({
        TABLE_NAME: 't',
        TTL_DAYS: '7',
        ORIGINS: 'a,b',
        MODE: 'deny',
      });
    });

    it('reads back what it writes (property)', () => {
      fc.assert(
        fc.property(
          fc.string({ minLength: 1 }).filter((s) => s.trim() !== ''),
          fc.integer({ min: 1, max: 1e9 }),
          fc.array(fc.stringMatching(/^[a-z0-9-]{1,12}$/), { maxLength: 5 }),
          fc.constantFrom('ask' as const, 'deny' as const),
          fc.boolean(),
          (table, ttlDays, origins, mode, memory) => {
            const env = RECORD.environment({ table, ttlDays, origins, mode, memory });
            expect(RECORD.read(env)).toEqual({ table, ttlDays, origins, mode, memory, url: undefined });
          },
        ),
      );
    });
  });

  describe('Function: requiredList', () => {
    const record = envRecord({ allowlist: requiredList('ALLOWLIST') });

    it('must be set, but may be empty', () => {
      expect(record.read({ ALLOWLIST: '' })).toEqual({ allowlist: [] });
      expect(() => record.read({})).toThrow(
        'Missing environment variable ALLOWLIST: the function cannot start without it (it may be empty)',
      );
    });
  });

  describe('Function: mergeEnv and envVariants', () => {
    it('reads the agent variables of the engine AGENT_ENGINE names (unset: Classic), all problems at once', () => {
      expect(AGENT_ENV.read({ AGENT_ID: 'a', AGENT_ALIAS_ID: 'b' })).toEqual({
        engine: 'classic',
        agentId: 'a',
        agentAliasId: 'b',
        memory: false,
      });
      const check = AGENT_ENV.check({ AGENT_ENGINE: 'agentcore', HARNESS_ARN: 'arn' });
      expect(check.ok).toBe(false);
      expect(check.ok ? [] : check.missing).toEqual([
        'HARNESS_QUALIFIER',
        'OUTPUT_GUARDRAIL_ID',
        'OUTPUT_GUARDRAIL_VERSION',
        'CLIENT_TOOLS',
        'IDENTITY_KEY_ARN',
      ]);
    });

    it('leaves AGENT_ENGINE out of a Classic environment (stacks before AgentCore had none)', () => {
      expect(
        AGENT_ENV.environment({ engine: 'classic', agentId: 'a', agentAliasId: 'b', memory: true }),
      ).toEqual({
        AGENT_ID: 'a',
        AGENT_ALIAS_ID: 'b',
        AGENT_MEMORY: 'on',
      });
    });

    it('names every missing variable of a composed record (the chat function) in one error', () => {
      const check = CHAT_ENV.check({});
      expect(check.ok).toBe(false);
      expect(check.ok ? [] : check.missing).toEqual([
        'AGENT_ID',
        'AGENT_ALIAS_ID',
        'AGENT_DEADLINE_SECONDS',
        'CONVERSATION_TTL_DAYS',
        'AGENT_STATE_TABLE_NAME',
        'CONVERSATIONS_TABLE_NAME',
        'TURN_LEASE_SECONDS',
        'CHAT_CONFIRMATIONS',
        'MAX_MESSAGE_CHARS',
      ]);
    });

    it('merges values of both records', () => {
      const merged = mergeEnv(envRecord({ a: text('A') }), envRecord({ b: int('B') }));
      expect(merged.read({ A: 'x', B: '2' })).toEqual({ a: 'x', b: 2 });
      expect(merged.names).toEqual(['A', 'B']);
    });

    it('refuses an unknown selector value', () => {
      const record = envVariants('kind', choice('KIND', ['one', 'two'], 'one'), {
        one: envRecord({}),
        two: envRecord({ extra: text('EXTRA') }),
      });
      expect(() => record.read({ KIND: 'three' })).toThrow(
        'Environment variable KIND must be one of one, two (got "three")',
      );
      expect(record.environment({ kind: 'two', extra: 'e' })).toEqual({ KIND: 'two', EXTRA: 'e' });
    });
  });
});
