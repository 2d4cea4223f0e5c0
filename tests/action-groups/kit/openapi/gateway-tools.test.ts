import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { parseSchemaSource } from '../../../../action-groups/kit/openapi/document';
import { type GatewaySchema, toGatewayTools } from '../../../../action-groups/kit/openapi/gateway-tools';
import { readOperations } from '../../../../action-groups/kit/openapi/operations';

const REPO = path.resolve(__dirname, '../../../..');
const shipped = (group: string) => {
  const file = `schemas/${group}.yaml`;
  return parseSchemaSource(fs.readFileSync(path.join(REPO, file), 'utf8'), file);
};

/** Every key a gateway SchemaDefinition may have. */
const ALLOWED = new Set(['type', 'description', 'properties', 'required', 'items']);

function keysOf(schema: GatewaySchema): string[] {
  return [
    ...Object.keys(schema),
    ...Object.values(schema.properties ?? {}).flatMap(keysOf),
    ...(schema.items ? keysOf(schema.items) : []),
  ];
}

describe('Function: toGatewayTools', () => {
  it.each(['report', 'summarize', 'code-review'])(
    'converts every operation of schemas/%s.yaml, named by operationId, with gateway keys only',
    (group) => {
      // Prepare
      const source = shipped(group);
      // Act
      const { tools, operations, findings } = toGatewayTools(source);
      // Assess
      expect(findings).toEqual([]);
      const expected = readOperations(source.document);
      expect(tools.map((t) => t.name)).toEqual(expected.map((o) => o.operationId));
      expect(operations.map((o) => [o.method, o.path, o.requireConfirmation])).toEqual(
        expected.map((o) => [o.method, o.path, o.requireConfirmation]),
      );
      for (const tool of tools) {
        expect(tool.inputSchema.type).toBe('object');
        expect(keysOf(tool.inputSchema).filter((key) => !ALLOWED.has(key))).toEqual([]);
      }
    },
  );

  it('flattens path, query and body fields into one input, with required path parameters and body fields', () => {
    // Act
    const { tools } = toGatewayTools(shipped('report'));
    const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
    // Assess
    expect(Object.keys(byName.createTicket?.inputSchema.properties ?? {})).toEqual([
      'title',
      'description',
      'severity',
      'reporterName',
      'conversationId',
    ]);
    // The reporter is the verified caller now, not a field: only the untrusted display name remains, optional.
    expect(byName.createTicket?.inputSchema.required).toEqual(['title', 'description', 'severity']);
    expect(byName.getTicket?.inputSchema.required).toEqual(['ticketId']);
    expect(byName.listTickets?.inputSchema.required).toBeUndefined();
  });

  it('folds enum, format and default into the description', () => {
    // Prepare
    const source = parseSchemaSource(
      [
        'openapi: 3.0.0',
        'paths:',
        '  /things:',
        '    get:',
        '      operationId: listThings',
        '      description: Lists things',
        '      parameters:',
        '        - name: limit',
        '          in: query',
        '          description: How many',
        '          schema: { type: integer, default: 20 }',
        '        - name: since',
        '          in: query',
        '          schema: { type: string, format: date-time, description: Oldest change }',
        '        - name: kind',
        '          in: query',
        '          schema: { type: string, enum: [a, b, 3] }',
      ].join('\n'),
      'things.yaml',
    );
    // Act
    const [tool] = toGatewayTools(source).tools;
    // Assess
    expect(tool?.description).toBe('Lists things');
    expect(tool?.inputSchema.properties).toEqual({
      limit: { type: 'integer', description: 'How many. Default: 20.' },
      since: { type: 'string', description: 'Oldest change. Format: date-time.' },
      kind: { type: 'string', description: 'One of: a, b, 3.' },
    });
  });

  it('keeps the operations that convert when another one is refused', () => {
    const source = parseSchemaSource(
      [
        'openapi: 3.0.0',
        'paths:',
        '  /a:',
        '    get:',
        '      operationId: okOne',
        '      description: Fine.',
        '  /b:',
        '    get:',
        '      operationId: badOne',
        '      description: Not fine.',
        '      parameters:',
        '        - { name: x, in: query, schema: { oneOf: [{ type: string }] } }',
      ].join('\n'),
      'mixed.yaml',
    );
    const { tools, findings } = toGatewayTools(source);
    expect(tools.map((t) => t.name)).toEqual(['okOne']);
    expect(findings.map((f) => `${f.file}:${f.line}`)).toEqual(['mixed.yaml:12']);
  });

  it('is pure: converting twice gives equal output, and never throws on arbitrary documents', () => {
    expect(toGatewayTools(shipped('summarize'))).toEqual(toGatewayTools(shipped('summarize')));
    fc.assert(
      fc.property(fc.jsonValue(), (doc) => {
        const source = {
          file: 'x.yaml',
          document: { openapi: '3.0.0', paths: { '/x': { get: doc } } },
          lineOf: () => 1,
        };
        expect(() => toGatewayTools(source)).not.toThrow();
      }),
    );
  });
});
