import type { ApiCall, FunctionCall } from '../../../client';
import { CONFIRMATION_TTL_MS } from '../../../functions/shared/confirmation-view';
import {
  confirmationView,
  fromStoredConfirmation,
  newPendingConfirmation,
  type OperationIdLookup,
  replyText,
  schemaOperationId,
  toStoredConfirmation,
} from '../../../functions/shared/confirmations';

const postComment: ApiCall = {
  kind: 'api',
  actionGroup: 'code-review',
  apiPath: '/projects/{projectId}/merge-requests/{mergeRequestIid}/notes',
  httpMethod: 'post',
  invocationType: 'USER_CONFIRMATION',
  parameters: [
    { name: 'projectId', type: 'string', value: 'platform/vpn' },
    { name: 'mergeRequestIid', type: 'integer', value: '42' },
  ],
  requestBody: { 'application/json': [{ name: 'body', type: 'string', value: 'Looks good.\nShip it.' }] },
};

const summarize: FunctionCall = {
  kind: 'function',
  actionGroup: 'summarize',
  function: 'summarizeConversation',
  invocationType: 'USER_CONFIRMATION',
  parameters: [{ name: 'conversationId', type: 'string', value: 'conv-7f3a' }],
};

const noLookup: OperationIdLookup = async () => undefined;
const NOW = Date.parse('2026-03-01T10:00:00.000Z');

describe('Confirmation prompts', () => {
  describe('Function: schemaOperationId', () => {
    it('finds the operationId in the action group’s bundled OpenAPI document by method and path', async () => {
      expect(await schemaOperationId(postComment)).toBe('postReviewComment');
      expect(
        await schemaOperationId({
          ...postComment,
          actionGroup: 'report',
          apiPath: '/tickets',
          httpMethod: 'POST',
        }),
      ).toBe('createTicket');
    });

    it.each([
      { name: 'an action group without a document', call: { ...postComment, actionGroup: 'payroll' } },
      { name: 'a path the document lacks', call: { ...postComment, apiPath: '/nope' } },
      {
        name: 'an action-group name that is not a file name',
        call: { ...postComment, actionGroup: '../secrets' },
      },
    ])('gives undefined for $name', async ({ call }) => {
      expect(await schemaOperationId(call)).toBeUndefined();
    });
  });

  describe('Function: newPendingConfirmation', () => {
    it('describes an OpenAPI call by tool, operation and inputs, with a short prompt', async () => {
      // Act
      const pending = await newPendingConfirmation({
        owner: 'apikey:abc',
        invocationId: 'inv-1',
        inputs: [postComment],
        nowMs: NOW,
        lookup: schemaOperationId,
      });
      // Assess
      expect(pending.expiresAtMs).toBe(NOW + CONFIRMATION_TTL_MS);
      expect(confirmationView(pending)).toEqual({
        id: pending.id,
        tool: 'code-review',
        operation: {
          method: 'POST',
          path: '/projects/{projectId}/merge-requests/{mergeRequestIid}/notes',
          operationId: 'postReviewComment',
        },
        inputs: {
          parameters: { projectId: 'platform/vpn', mergeRequestIid: '42' },
          body: { body: 'Looks good.\nShip it.' },
        },
        prompt:
          'Run code-review postReviewComment with projectId=platform/vpn, mergeRequestIid=42, body=Looks good. Ship it?',
        expiresAt: '2026-03-01T10:10:00.000Z',
      });
      expect(replyText(pending, false)).toBe(
        'No, do not run code-review postReviewComment with projectId=platform/vpn, mergeRequestIid=42, body=Looks good. Ship it.',
      );
    });

    it('names the method and path when the operationId is unknown, and shortens long arguments', async () => {
      const long: ApiCall = {
        ...postComment,
        parameters: Array.from({ length: 9 }, (_, i) => ({
          name: `p${i}`,
          type: 'string',
          value: String(i),
        })),
        requestBody: { 'application/json': [{ name: 'body', type: 'string', value: 'x'.repeat(200) }] },
      };
      const pending = await newPendingConfirmation({
        owner: 'o',
        invocationId: 'inv-2',
        inputs: [long],
        nowMs: NOW,
        lookup: noLookup,
      });
      const view = confirmationView(pending);
      expect(view.operation).toEqual({ method: 'POST', path: postComment.apiPath });
      expect(view.prompt).toBe(
        `Run code-review POST ${postComment.apiPath} with p0=0, p1=1, p2=2, p3=3, p4=4, p5=5, p6=6, p7=7, …?`,
      );
      // The inputs themselves are returned whole.
      expect(view.inputs.body?.body).toHaveLength(200);
    });

    it('covers every call of the invocation in one decision (calls lists them)', async () => {
      const pending = await newPendingConfirmation({
        owner: 'o',
        invocationId: 'inv-3',
        inputs: [summarize, postComment],
        nowMs: NOW,
        lookup: noLookup,
      });
      const view = confirmationView(pending);
      expect(view).toMatchObject({
        tool: 'summarize',
        operation: { function: 'summarizeConversation' },
        inputs: { parameters: { conversationId: 'conv-7f3a' } },
      });
      expect(view.calls?.map((c) => c.tool)).toEqual(['summarize', 'code-review']);
      expect(view.prompt).toMatch(
        /^Run summarize summarizeConversation with conversationId=conv-7f3a and code-review POST \//,
      );
    });
  });

  describe('Stored form', () => {
    it('reads back what it writes, and nothing else', async () => {
      const pending = await newPendingConfirmation({
        owner: 'o',
        invocationId: 'inv-4',
        inputs: [postComment, summarize],
        nowMs: NOW,
        lookup: schemaOperationId,
      });
      expect(fromStoredConfirmation(toStoredConfirmation(pending))).toEqual(pending);
      expect(fromStoredConfirmation(undefined)).toBeUndefined();
      expect(fromStoredConfirmation({ ...toStoredConfirmation(pending), inputs: [] })).toBeUndefined();
    });
  });
});
