import fc from 'fast-check';
import {
  callerOf,
  IDENTITY_ATTRIBUTES,
  isOperator,
  requireCaller,
  UNIDENTIFIED_OPERATOR,
  unidentifiedCallsFromEnv,
  withIdentityOf,
} from '../../../action-groups/kit/caller';
import { Forbidden } from '../../../action-groups/kit/errors';
import { buildAgentEvent } from '../../../action-groups/kit/event-builder';
import { defineTool } from '../../../action-groups/kit/tool';
import schemaText from '../../fixtures/schemas/kit-report.yaml';
import { apiResponse } from '../../support/events';

describe('Module: kit/caller', () => {
  describe('Function: callerOf', () => {
    it('reads userId, app and the comma-separated roles the chat API set', () => {
      expect(callerOf({ userId: 'app:web:user:alex', app: 'web', roles: ' operator, ,auditor ' })).toEqual({
        userId: 'app:web:user:alex',
        app: 'web',
        roles: ['operator', 'auditor'],
      });
      expect(callerOf({ userId: 'cognito:abc', conversationId: 'c-1' })).toEqual({
        userId: 'cognito:abc',
        roles: [],
      });
    });

    it.each<{ name: string; attributes: Record<string, string> | undefined }>([
      { name: 'no attributes', attributes: undefined },
      { name: 'no userId', attributes: { roles: 'operator', app: 'web' } },
      { name: 'a blank userId', attributes: { userId: '   ', roles: 'operator' } },
      { name: 'an absurdly long userId', attributes: { userId: 'x'.repeat(513) } },
    ])('names no caller for $name (roles alone grant nothing)', ({ attributes }) => {
      expect(callerOf(attributes)).toBeUndefined();
    });

    it('never throws and returns a caller only with a non-blank userId (property)', () => {
      fc.assert(
        fc.property(fc.dictionary(fc.string(), fc.string()), (attributes) => {
          const caller = callerOf(attributes);
          if (caller) {
            expect(caller.userId.trim()).toBe(caller.userId);
            expect(caller.userId.length).toBeGreaterThan(0);
            expect(caller.roles.every((r) => r.length > 0 && !r.includes(','))).toBe(true);
          } else {
            expect(
              (attributes.userId ?? '').trim().length === 0 || (attributes.userId ?? '').length > 512,
            ).toBe(true);
          }
        }),
      );
    });
  });

  describe('Function: requireCaller', () => {
    it('refuses a call without a caller with a 403 the model can explain, unless the stage allows an operator', () => {
      expect(() => requireCaller(undefined)).toThrow(Forbidden);
      expect(() => requireCaller(undefined, 'refuse')).toThrow(/sign in/);
      expect(requireCaller(undefined, 'operator')).toBe(UNIDENTIFIED_OPERATOR);
      expect(isOperator(UNIDENTIFIED_OPERATOR)).toBe(true);
      const caller = { userId: 'cognito:a', roles: [] };
      expect(requireCaller(caller, 'operator')).toBe(caller);
    });

    it('reads the policy from UNIDENTIFIED_TOOL_CALLS (unset: refuse) and fails fast on anything else', () => {
      expect(unidentifiedCallsFromEnv({})).toBe('refuse');
      expect(unidentifiedCallsFromEnv({ UNIDENTIFIED_TOOL_CALLS: 'operator' })).toBe('operator');
      expect(() => unidentifiedCallsFromEnv({ UNIDENTIFIED_TOOL_CALLS: 'yes' })).toThrow(
        /UNIDENTIFIED_TOOL_CALLS must be refuse or operator/,
      );
    });
  });

  describe('Function: withIdentityOf', () => {
    it('keeps the event’s identity attributes whatever the handler set, and the handler’s other changes', () => {
      const event = { userId: 'cognito:a', roles: 'operator', conversationId: 'c-1' };
      const changed = { userId: 'cognito:evil', roles: 'operator,admin', app: 'other', note: 'kept' };
      expect(withIdentityOf(event, changed)).toEqual({
        userId: 'cognito:a',
        roles: 'operator',
        note: 'kept',
      });
      expect(IDENTITY_ATTRIBUTES).toEqual(['userId', 'app', 'roles']);
    });
  });

  describe('ToolContext.caller and the echoed session attributes', () => {
    it('hands the handler the caller and echoes the identity exactly as the event carried it', async () => {
      // Prepare: a handler that tries to become someone else for the rest of the session
      const seen: unknown[] = [];
      const handler = defineTool({
        name: 'report',
        schema: schemaText,
        operations: {
          getTicket: async (_input, ctx) => {
            seen.push(ctx.caller);
            ctx.sessionAttributes.userId = 'cognito:admin';
            ctx.sessionAttributes.roles = 'operator';
            ctx.sessionAttributes.lastTicket = 'TCK-1';
            return { ticketId: 'TCK-1' };
          },
        },
      });
      const event = buildAgentEvent({
        group: 'report',
        schemaText,
        operationId: 'getTicket',
        params: { ticketId: 'TCK-1' },
        sessionAttributes: { userId: 'cognito:alex', conversationId: 'c-1' },
      });

      // Act
      const response = apiResponse(await handler(event));

      // Assess
      expect(seen).toEqual([{ userId: 'cognito:alex', roles: [] }]);
      expect(response.sessionAttributes).toEqual({
        userId: 'cognito:alex',
        conversationId: 'c-1',
        lastTicket: 'TCK-1',
      });
    });
  });
});
