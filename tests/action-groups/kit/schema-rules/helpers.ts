import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseSchemaSource } from '../../../../action-groups/kit/openapi/document';
import type { Finding, SchemaRule } from '../../../../action-groups/kit/schema-rules/finding';

/**
 * YAML written inline in a test: drops the first newline and the common indentation, so line 1 of the
 * result is the first line after the opening backtick. An interpolated multi-line value is indented to the
 * column where it is placed, so blocks such as `OK_RESPONSE` can be reused at any depth.
 */
export function yaml(strings: TemplateStringsArray, ...values: unknown[]): string {
  const marker = (i: number) => `⟦${i}⟧`;
  const raw = strings.reduce((text, part, i) => text + part + (i < values.length ? marker(i) : ''), '');
  const lines = raw
    .replace(/^\n/, '')
    .replace(/\n\s*$/, '')
    .split('\n');
  const indent = Math.min(
    ...lines.filter((l) => l.trim() !== '').map((l) => l.length - l.trimStart().length),
  );
  return `${lines
    .map((l) => l.slice(indent))
    .map((l) =>
      l.replace(/⟦(\d+)⟧/g, (_, i: string) =>
        String(values[Number(i)])
          .split('\n')
          .join(`\n${' '.repeat(l.indexOf('⟦'))}`),
      ),
    )
    .join('\n')}\n`;
}

/** Runs one rule on schema text, as if it were the file `tickets.yaml` of action group `group`. */
export const runRule = (rule: SchemaRule, text: string, group = 'tickets'): Finding[] =>
  rule(parseSchemaSource(text, 'tickets.yaml'), { group });

/** The text of `tests/fixtures/schemas/<name>`. */
export const fixture = (name: string): string =>
  fs.readFileSync(path.join(__dirname, '../../../fixtures/schemas', name), 'utf8');

/** A small schema that passes every rule (26 lines; the operation starts at line 7). */
export const VALID = yaml`
  openapi: 3.0.0
  info:
    title: Tickets
    version: 1.0.0
  paths:
    /tickets/{ticketId}:
      get:
        operationId: getTicket
        description: Returns one ticket by its id.
        parameters:
          - name: ticketId
            in: path
            required: true
            description: Ticket id such as TCK-1042.
            schema:
              type: string
        responses:
          '200':
            description: The ticket.
            content:
              application/json:
                schema:
                  type: object
                  properties:
                    ticketId:
                      type: string
`;

/** A valid `responses` block, for documents that test other parts of an operation. */
export const OK_RESPONSE = yaml`
  responses:
    '200':
      description: Done.
      content:
        application/json:
          schema:
            type: object
            properties:
              ok:
                type: boolean
`.trimEnd();

/** Where `ticketsOperation` puts its one operation; the default is `GET /tickets` (listTickets). */
export interface OperationHead {
  readonly path?: string;
  readonly method?: string;
  readonly operationId?: string;
  readonly description?: string;
}

/** `POST /tickets` (createTicket), for `ticketsOperation`. */
export const CREATE_TICKET: OperationHead = {
  method: 'post',
  operationId: 'createTicket',
  description: 'Creates a ticket.',
};

/**
 * A document with one operation (by default `GET /tickets`, listTickets): the path is at line 3, the
 * method at line 4, its `operationId` at 5, `description` at 6, and `fields` (the operation's other
 * fields) from line 7 on.
 */
export function ticketsOperation(fields: string, head: OperationHead = {}): string {
  const {
    path: route = '/tickets',
    method = 'get',
    operationId = 'listTickets',
    description = 'Lists tickets.',
  } = head;
  return yaml`
    openapi: 3.0.0
    paths:
      ${route}:
        ${method}:
          operationId: ${operationId}
          description: ${description}
          ${fields.trimEnd()}
  `;
}

/** A `responses` block whose `200` answers application/json with `schema` (the schema from its 7th line). */
export const jsonResponse = (schema: string): string =>
  yaml`
    responses:
      '200':
        description: Tickets.
        content:
          application/json:
            schema:
              ${schema.trimEnd()}
  `.trimEnd();

/** `<method> /tickets` (changeTickets): give the method, e.g. `{ ...CHANGE_TICKETS, method: 'put' }`. */
export const CHANGE_TICKETS: OperationHead = {
  operationId: 'changeTickets',
  description: 'Changes tickets.',
};

/**
 * A `requestBody` whose application/json schema is an object with `properties` (they start at its 7th
 * line).
 */
export const jsonRequestBody = (properties: string): string =>
  yaml`
    requestBody:
      content:
        application/json:
          schema:
            type: object
            properties:
              ${properties.trimEnd()}
  `.trimEnd();
