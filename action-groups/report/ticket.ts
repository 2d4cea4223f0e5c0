import { randomInt } from 'node:crypto';
import { InvalidInput } from '../kit/errors';

/**
 * The ticket model and its pure rules: allowed values, id format, input normalisation. No I/O here; the
 * operations in `tickets.ts` combine these with the store and notifier ports.
 */

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const STATUSES = ['open', 'in_progress', 'resolved', 'closed'] as const;
export type TicketStatus = (typeof STATUSES)[number];

/** `TCK-` and 1 to 10 digits without a leading zero, as `schemas/report.yaml` documents for `ticketId`. */
export const TICKET_ID_PATTERN = /^TCK-[1-9][0-9]{0,9}$/;

/** A stored ticket. Severity and status are plain strings here: stored data may carry values set elsewhere. */
export interface Ticket {
  readonly ticketId: string;
  readonly title: string;
  readonly description: string;
  readonly severity: string;
  readonly status: string;
  /**
   * Who filed the ticket: the caller's verified `userId` (session attribute). Absent only on tickets stored
   * before tickets had owners; those are visible to operators only.
   */
  readonly owner?: string;
  /** A name the reporter gave in the chat (from the model): shown as given, never used for access. */
  readonly reporterName?: string;
  readonly conversationId?: string;
  /** ISO 8601, UTC. */
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** What a caller asks to create (already type-checked against the schema by the kit). */
export interface NewTicketRequest {
  readonly title: string;
  readonly description: string;
  readonly severity: string;
  readonly reporterName?: string;
  readonly conversationId?: string;
}

/** A creation request after normalisation: the exact values that are stored and hashed. */
export interface NormalizedTicketRequest {
  readonly title: string;
  readonly description: string;
  readonly severity: Severity;
  readonly reporterName?: string;
  readonly conversationId?: string;
}

/**
 * Random ids in this range are always 8 digits: short enough to read out, large enough that collisions are
 * rare. A collision is still handled (the ticket is written only if its id is free, else a new id is drawn).
 * The ids are NOT secret (90 million values can be walked): ownership is what protects a ticket. getTicket
 * answers a ticket of someone else exactly like an id that does not exist, so guessing ids finds nothing.
 */
const ID_MIN = 10_000_000;
const ID_MAX = 100_000_000;

/** A fresh random ticket id such as `TCK-48213907`. Uniqueness is enforced by the store's conditional write. */
export const newTicketId = (): string => `TCK-${randomInt(ID_MIN, ID_MAX)}`;

const isSeverity = (value: string): value is Severity => (SEVERITIES as readonly string[]).includes(value);
export const isTicketStatus = (value: string): value is TicketStatus =>
  (STATUSES as readonly string[]).includes(value);

// Lone UTF-16 surrogates cannot be stored as UTF-8 by DynamoDB; they become U+FFFD like any decoder does.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

// Invisible control characters (all C0 but tab, newline and carriage return; DEL; C1). They carry nothing a
// reader can see, break e-mail notifications, and each costs six characters of JSON (\u0000) in the prompt.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;

/** Text that can be stored and sent: lone surrogates replaced, control characters and outer whitespace removed. */
export const cleanText = (text: string): string =>
  text.replace(LONE_SURROGATE, '\uFFFD').replace(CONTROL, '').trim();

/** A title is one line: every run of whitespace (newlines, tabs, no-break spaces) becomes one space. */
export const cleanTitle = (text: string): string => cleanText(text).replace(/\s+/g, ' ');

/** Parses a severity case-insensitively; throws InvalidInput naming the allowed values. */
export function parseSeverity(value: string): Severity {
  const lower = value.trim().toLowerCase();
  if (isSeverity(lower)) return lower;
  throw new InvalidInput(
    `severity: must be one of ${SEVERITIES.join(', ')} (got ${JSON.stringify(value.slice(0, 40))}). Ask the user how bad the problem is.`,
  );
}

/** Parses a status filter case-insensitively; throws InvalidInput naming the allowed values. */
export function parseStatus(value: string): TicketStatus {
  const lower = value
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
  if (isTicketStatus(lower)) return lower;
  throw new InvalidInput(
    `status: must be one of ${STATUSES.join(', ')} (got ${JSON.stringify(value.slice(0, 40))}), or be left out for all statuses.`,
  );
}

/**
 * Normalises a creation request: trims every field (the title and the reporter's name also collapse inner
 * whitespace), lower-cases the severity and drops a blank conversationId or name. Reports every required
 * field that is blank after trimming, which the schema's `minLength: 1` cannot catch ("   " has length 3).
 */
export function normalizeTicketRequest(request: NewTicketRequest): NormalizedTicketRequest {
  const problems: string[] = [];
  const required = (field: string, value: string): string => {
    if (value === '') problems.push(`${field}: must not be blank`);
    return value;
  };
  const title = required('title', cleanTitle(request.title));
  const description = required('description', cleanText(request.description));
  let severity: Severity = 'low';
  try {
    severity = parseSeverity(request.severity);
  } catch (err) {
    if (!(err instanceof InvalidInput)) throw err;
    problems.push(...err.fields);
  }
  if (problems.length > 0) throw new InvalidInput(problems);
  const conversationId = request.conversationId === undefined ? '' : cleanText(request.conversationId);
  const reporterName = request.reporterName === undefined ? '' : cleanTitle(request.reporterName);
  return {
    title,
    description,
    severity,
    ...(reporterName ? { reporterName } : {}),
    ...(conversationId ? { conversationId } : {}),
  };
}

/** A new open ticket of `owner` (the caller's verified userId) from a normalised request. */
export function buildTicket(
  request: NormalizedTicketRequest,
  owner: string,
  ticketId: string,
  createdAt: string,
): Ticket {
  return {
    ticketId,
    title: request.title,
    description: request.description,
    severity: request.severity,
    status: 'open',
    owner,
    ...(request.reporterName === undefined ? {} : { reporterName: request.reporterName }),
    ...(request.conversationId === undefined ? {} : { conversationId: request.conversationId }),
    createdAt,
    updatedAt: createdAt,
  };
}

/** Throws InvalidInput unless `ticketId` has the documented format. */
export function assertTicketId(ticketId: string): void {
  if (!TICKET_ID_PATTERN.test(ticketId)) {
    throw new InvalidInput(
      `ticketId: must be TCK- followed by 1 to 10 digits, e.g. TCK-1042 (got ${JSON.stringify(ticketId.slice(0, 40))}). Ask the user to check the id.`,
    );
  }
}
