import schema from '../../schemas/report.yaml';
import { requireCaller, type UnidentifiedCalls } from '../kit/caller';
import { defineTool, type ToolCallRecorder, type ToolHandler, withStatus } from '../kit/tool';
import type { ReportOperations } from './schema.generated';
import { createTicket, getTicket, listTickets, type TicketServiceDeps } from './tickets';

export interface ReportToolOptions {
  /** Stores one record per call (the ToolLogs table in the cloud). */
  readonly recorder?: ToolCallRecorder;
  /** What a call that names no caller runs as. @default 'refuse' */
  readonly unidentified?: UnidentifiedCalls;
}

/**
 * The `report` action group over its ports: tickets (a `TicketStore`) and new-ticket notifications. Every
 * operation answers to the verified caller of the session (`ctx.caller`): tickets are filed as the caller and
 * read back by their owner (or an operator); a call naming no caller is refused unless the stage runs such
 * calls as an operator. `handler.ts` wires the AWS adapters from the environment; tests wire their own.
 */
export function createReportTool(service: TicketServiceDeps, options: ReportToolOptions = {}): ToolHandler {
  const unidentified = options.unidentified ?? 'refuse';
  return defineTool<ReportOperations>({
    name: 'report',
    schema,
    ...(options.recorder ? { recorder: options.recorder } : {}),
    operations: {
      createTicket: async ({ body }, ctx) => {
        const { userId: owner } = requireCaller(ctx.caller, unidentified);
        const created = await createTicket(service, body, { owner, sessionId: ctx.sessionId });
        if (created.replayed) ctx.logger.info('repeated createTicket answered with the earlier ticket');
        const { ticket, notified } = created;
        return withStatus(201, { ...ticket, ...(notified === undefined ? {} : { notified }) });
      },
      getTicket: async ({ params }, ctx) =>
        getTicket(service, params.ticketId, requireCaller(ctx.caller, unidentified)),
      listTickets: async ({ params }, ctx) =>
        listTickets(service, params, requireCaller(ctx.caller, unidentified)),
    },
  });
}
