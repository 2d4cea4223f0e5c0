import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { buildAgentEvent } from '../../../action-groups/kit/event-builder';
import type { ToolHandler } from '../../../action-groups/kit/tool';
import schemaText from '../../../schemas/report.yaml';
import { type LocalDynamo, startDynalite } from '../../support/dynalite';
import { setEnv } from '../../support/invoke-agent-server';
import { bodyOf, reportHandlerEnv, statusOf, ticketsTableSpec, toolLogsTableSpec } from './helpers';

const TABLE = 'kass-tickets-property';
const TOOL_LOGS = 'kass-tool-logs-property';

// Written independently of the domain code: what the tool promises to store.
// biome-ignore lint/suspicious/noControlCharactersInRegex: the invisible characters the tool drops.
const INVISIBLE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;
const expectedDescription = (text: string) => text.replace(INVISIBLE, '').trim();
const expectedTitle = (text: string) => expectedDescription(text).replace(/\s+/g, ' ');

/** At most `max` code points (the schema counts code points), from any Unicode text. */
const text = (min: number, max: number) =>
  fc
    .oneof(
      fc.string({ unit: 'binary', minLength: min, maxLength: max }),
      fc.string({ unit: 'grapheme', minLength: min, maxLength: max }),
      fc.string({ unit: 'grapheme-composite', minLength: min, maxLength: max }),
      fc.string({ unit: 'binary', minLength: Math.max(min, max - 50), maxLength: max }),
    )
    .map((s) => Array.from(s).slice(0, max).join(''))
    .filter((s) => expectedDescription(s) !== '');

describe('Property: report tickets round-trip through the handler (dynalite)', () => {
  const sns = mockClient(SNSClient);
  let restoreEnv: () => void;
  let ddb: LocalDynamo;
  let handler: ToolHandler;

  beforeAll(async () => {
    ddb = await startDynalite({ tables: [ticketsTableSpec(TABLE), toolLogsTableSpec(TOOL_LOGS)] });
    restoreEnv = setEnv(
      reportHandlerEnv(ddb, {
        tickets: TABLE,
        toolLogs: TOOL_LOGS,
        topic: 'arn:aws:sns:us-east-1:123456789012:kass-ticket-events',
      }),
    );
    ({ handler } = await import('../../../action-groups/report/handler'));
    sns.on(PublishCommand).resolves({ MessageId: 'msg' });
  });

  afterAll(async () => {
    await ddb.stop();
    restoreEnv();
  });

  it('answers 201 for any title and description within the limits, and getTicket returns what was stored', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        text(1, 120),
        text(1, 4000),
        fc.constantFrom('low', 'medium', 'HIGH', 'Critical'),
        async (title, description, severity) => {
          // Prepare
          const sessionId = `property-${++run}`;
          const create = buildAgentEvent({
            group: 'report',
            schemaText,
            operationId: 'createTicket',
            sessionId,
            sessionAttributes: { userId: 'cognito:ana' },
            body: { title, description, severity },
          });

          // Act
          const created = await handler(create);
          const ticket = bodyOf<Record<string, unknown> & { ticketId: string }>(created);
          const fetched = await handler(
            buildAgentEvent({
              group: 'report',
              schemaText,
              operationId: 'getTicket',
              params: { ticketId: ticket.ticketId },
              sessionAttributes: { userId: 'cognito:ana' },
            }),
          );

          // Assess
          expect(statusOf(created)).toBe(201);
          expect(ticket).toMatchObject({
            title: expectedTitle(title),
            description: expectedDescription(description),
            severity: severity.toLowerCase(),
            status: 'open',
            owner: 'cognito:ana',
            notified: true,
          });
          expect(statusOf(fetched)).toBe(200);
          const { notified: _, ...stored } = ticket;
          expect(bodyOf(fetched)).toEqual(stored);
          const subject = sns.commandCalls(PublishCommand).at(-1)?.args[0].input.Subject ?? '';
          expect(subject).toMatch(/^\[[A-Z]+\] TCK-\d+[\x20-\x7E]*$/);
          expect(subject.length).toBeLessThan(100);
        },
      ),
      { numRuns: 60 },
    );
  });
});
