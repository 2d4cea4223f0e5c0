// Generated from schemas/report.yaml by action-groups/kit/codegen/cli.ts. Do not edit by hand.
// Regenerate: npx tsx action-groups/kit/codegen/cli.ts (CI: --check)

import type { ToolContext, WithStatus } from '../kit/tool';

/** Input of createTicket: POST /tickets. Creates a support ticket for a problem the user reports (a bug, an outage, missing access, a broken tool). Before calling, collect a short title, a detailed description and the severity, and repeat them to the user: the user is asked to confirm before the ticket is created. The ticket is filed as the signed-in user (its owner); do not ask who reports it. Do not create a ticket for a plain question that the knowledge base can answer. Returns the new ticket with its id (TCK-<number>, e.g. TCK-1042) and status open. */
export interface CreateTicketInput {
  params: Record<string, never>;
  body: {
    /** One-line summary of the problem, at most 120 characters, e.g. "VPN drops every 10 minutes". */
    title: string;
    /** What happens, what was expected, since when, and the steps to reproduce, in the user's words. At most 4000 characters. */
    description: string;
    /** How bad the problem is. One of: low, medium, high, critical. low = cosmetic or has a workaround; medium = a feature is impaired; high = the user cannot work; critical = many users or production are down. */
    severity: string;
    /** Optional name the user wants on the ticket, e.g. "Ana Lima", only if the user gave one. It is shown to the support team as given and not verified: the ticket always belongs to the signed-in user. */
    reporterName?: string;
    /** Optional id of the chat conversation the problem was reported in, so the ticket links back to it. */
    conversationId?: string;
  };
}

/** Output of createTicket (its success response schema). */
export interface CreateTicketOutput {
  /** Ticket id: TCK- followed by a number, e.g. TCK-1042. */
  ticketId?: string;
  /** One-line summary. */
  title?: string;
  /** Details of the problem. */
  description?: string;
  /** One of: low, medium, high, critical. */
  severity?: string;
  /** One of: open, in_progress, resolved, closed. */
  status?: string;
  /** Who filed the ticket: the signed-in user id the chat API verified. */
  owner?: string;
  /** The name the reporter gave, if any (not verified). */
  reporterName?: string;
  /** Chat conversation the ticket came from, if any. */
  conversationId?: string;
  /** When the ticket was created (ISO 8601, UTC). */
  createdAt?: string;
  /** When the ticket last changed (ISO 8601, UTC). */
  updatedAt?: string;
  /** Whether the support team was alerted. false means the ticket exists but the alert failed: tell the user the ticket id and that the team was not alerted. Absent when unknown. */
  notified?: boolean;
}

/** Input of listTickets: GET /tickets. Lists the signed-in user's own support tickets, newest first, optionally only those in one status. Use it when the user asks about "my tickets" or what happened to something they reported. Support operators see every ticket (or one user's, with owner). Returns at most `limit` tickets; when nextToken is present, call again with it to get the next page. */
export interface ListTicketsInput {
  params: {
    /** Operators only: list the tickets of this user id (the owner field of a ticket). Leave it out to list the signed-in user's own tickets; anyone else may not name another user. */
    owner?: string;
    /** Only tickets in this status. One of: open, in_progress, resolved, closed. Omit for all statuses. */
    status?: string;
    /** How many tickets to return, 1 to 50. Defaults to 20. */
    limit: number;
    /** The nextToken of the previous listTickets answer, to get the next page. Omit for the first page. */
    nextToken?: string;
  };
  body: Record<string, never>;
}

/** Output of listTickets (its success response schema). */
export interface ListTicketsOutput {
  /** Tickets, newest first. */
  tickets?: Array<{
    /** Ticket id, e.g. TCK-1042. */
    ticketId?: string;
    /** One-line summary. */
    title?: string;
    /** Details of the problem, cut to the first 280 characters; getTicket returns all of it. */
    description?: string;
    /** One of: low, medium, high, critical. */
    severity?: string;
    /** One of: open, in_progress, resolved, closed. */
    status?: string;
    /** Who filed the ticket: the signed-in user id the chat API verified. */
    owner?: string;
    /** The name the reporter gave, if any (not verified). */
    reporterName?: string;
    /** Chat conversation the ticket came from, if any. */
    conversationId?: string;
    /** When the ticket was created (ISO 8601, UTC). */
    createdAt?: string;
    /** When the ticket last changed (ISO 8601, UTC). */
    updatedAt?: string;
  }>;
  /** Present when more tickets exist; pass it to listTickets to continue. */
  nextToken?: string;
}

/** Input of getTicket: GET /tickets/{ticketId}. Returns one of the signed-in user's support tickets by its id, with its current status, severity and details (operators may read any ticket). Use it when the user names a ticket id such as TCK-1042 or asks about the status of a ticket they created. */
export interface GetTicketInput {
  params: {
    /** The ticket id: TCK- followed by 1 to 10 digits, e.g. TCK-1042. Ask the user for it if unknown. */
    ticketId: string;
  };
  body: Record<string, never>;
}

/** Output of getTicket (its success response schema). */
export interface GetTicketOutput {
  /** Ticket id, e.g. TCK-1042. */
  ticketId?: string;
  /** One-line summary. */
  title?: string;
  /** Details of the problem. */
  description?: string;
  /** One of: low, medium, high, critical. */
  severity?: string;
  /** One of: open, in_progress, resolved, closed. */
  status?: string;
  /** Who filed the ticket: the signed-in user id the chat API verified. */
  owner?: string;
  /** The name the reporter gave, if any (not verified). */
  reporterName?: string;
  /** Chat conversation the ticket came from, if any. */
  conversationId?: string;
  /** When the ticket was created (ISO 8601, UTC). */
  createdAt?: string;
  /** When the ticket last changed (ISO 8601, UTC). */
  updatedAt?: string;
}

/** Handlers of the report action group: `defineTool<ReportOperations>({ ... })`. */
export type ReportOperations = {
  createTicket: (input: CreateTicketInput, ctx: ToolContext) => Promise<CreateTicketOutput | WithStatus<CreateTicketOutput>>;
  listTickets: (input: ListTicketsInput, ctx: ToolContext) => Promise<ListTicketsOutput | WithStatus<ListTicketsOutput>>;
  getTicket: (input: GetTicketInput, ctx: ToolContext) => Promise<GetTicketOutput | WithStatus<GetTicketOutput>>;
};
