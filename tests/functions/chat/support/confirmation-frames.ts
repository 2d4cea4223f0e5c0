import { type AgentFrame, frame } from '../../../support/invoke-agent-server';

/**
 * A write tool the agent must have confirmed: report createTicket (`POST /tickets`, `x-requireConfirmation:
 * ENABLED`), as InvokeAgent hands it back in a `returnControl` event (`apiInvocationInput`, method in lower
 * case as in the user guide's example).
 */
export const CREATE_TICKET_INPUT = {
  apiInvocationInput: {
    actionGroup: 'report',
    apiPath: '/tickets',
    httpMethod: 'post',
    parameters: [],
    requestBody: {
      content: {
        'application/json': {
          properties: [
            { name: 'title', type: 'string', value: 'VPN drops every 10 minutes' },
            { name: 'severity', type: 'string', value: 'high' },
            { name: 'reporter', type: 'string', value: 'alex@example.com' },
          ],
        },
      },
    },
    actionInvocationType: 'USER_CONFIRMATION',
  },
};

export const INVOCATION_ID = '79e0feaa-c6f7-49bf-814d-b7c498505172';

/** The agent says what it will do, then asks for the confirmation. */
export const ASK_FRAMES: AgentFrame[] = [
  frame.text('I can open a ticket '),
  frame.text('for that.'),
  frame.returnControl(INVOCATION_ID, [CREATE_TICKET_INPUT]),
];

export const TEXT_BEFORE_PROMPT = 'I can open a ticket for that.';

export const PROMPT =
  'Run report createTicket with title=VPN drops every 10 minutes, severity=high, reporter=alex@example.com?';

/** The confirmation as the API shows it (id and expiry vary). */
export const CONFIRMATION_VIEW = {
  tool: 'report',
  operation: { method: 'POST', path: '/tickets', operationId: 'createTicket' },
  inputs: {
    parameters: {},
    body: { title: 'VPN drops every 10 minutes', severity: 'high', reporter: 'alex@example.com' },
  },
  prompt: PROMPT,
};

/** The `returnControlInvocationResults` member that answers the confirmation. */
export const answered = (confirmationState: 'CONFIRM' | 'DENY') => [
  {
    apiResult: {
      actionGroup: 'report',
      apiPath: '/tickets',
      httpMethod: 'post',
      confirmationState,
    },
  },
];

/** The agent's turn after a confirmed call: the Lambda tool ran (trace), then the answer. */
export const CREATED_FRAMES: AgentFrame[] = [
  frame.actionGroupCall('t-9', {
    actionGroupName: 'report',
    apiPath: '/tickets',
    verb: 'post',
    executionType: 'LAMBDA',
  }),
  frame.text('Created ticket '),
  frame.text('TCK-1042.'),
];
