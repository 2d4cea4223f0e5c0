import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  ALL_RULES,
  checkSchemaSet,
  checkSchemaText,
  groupOfFile,
  SET_RULES,
} from '../../../../action-groups/kit/schema-rules';
import { runRule, VALID, yaml } from './helpers';

const RULES_DIR = path.join(__dirname, '../../../../action-groups/kit/schema-rules');
const HELPER_MODULES = ['finding', 'index', 'patterns', 'walk'];

/** A schema that breaks many rules at once. */
const BROKEN = yaml`
  openapi: 3.1.0
  info:
    title: Broken
  paths:
    tickets/{id}:
      post:
        operationId: create__ticket
        description: ''
        parameters:
          - { name: filter, in: cookie, schema: { type: object, enum: [a], maxlength: 3, oneOf: [{ type: string }] } }
        requestBody:
          content: {}
        responses:
          '200':
            description: Ok
      delete:
        description: Deletes.
        x-requireConfirmation: maybe
        requestBody:
          content: { application/json: { schema: { type: object, properties: { x: {} } } } }
        responses: {}
`;

describe('Module: schema-rules', () => {
  describe('Constant: ALL_RULES', () => {
    it('has one rule per file, keyed by the file name, each with a test file', () => {
      // Prepare
      const files = fs
        .readdirSync(RULES_DIR)
        .map((f) => f.replace(/\.ts$/, ''))
        .filter((f) => !HELPER_MODULES.includes(f))
        .sort();
      // Assess
      expect([...Object.keys(ALL_RULES), ...Object.keys(SET_RULES)].sort()).toEqual(files);
      for (const id of files) expect(fs.existsSync(path.join(__dirname, `${id}.test.ts`))).toBe(true);
    });

    it('reports findings under the id it is registered with', () => {
      // max-operations needs 12 operations; its own test covers it
      const rules = Object.entries(ALL_RULES).filter(([id]) => id !== 'max-operations');
      for (const [id, rule] of rules) {
        // Act
        const findings = runRule(rule, BROKEN, 'bad group');
        // Assess
        expect(findings.length).toBeGreaterThan(0);
        expect(new Set(findings.map((f) => f.rule))).toEqual(new Set([id]));
        for (const f of findings) {
          expect(f.line).toBeGreaterThanOrEqual(1);
          expect(f.message.length).toBeGreaterThan(20);
        }
      }
    });
  });

  describe('Function: checkSchemaText', () => {
    it('returns no findings for a valid schema', () => {
      expect(checkSchemaText(VALID, 'schemas/tickets.yaml')).toEqual([]);
    });

    it('runs every rule and sorts the findings by line', () => {
      // Act
      const findings = checkSchemaText(BROKEN, 'schemas/broken group.yaml');
      // Assess
      const lines = findings.map((f) => f.line);
      expect(lines).toEqual([...lines].sort((a, b) => a - b));
      expect(new Set(findings.map((f) => f.rule)).size).toBeGreaterThanOrEqual(
        Object.keys(ALL_RULES).length - 1,
      );
      expect(findings.every((f) => f.file === 'schemas/broken group.yaml')).toBe(true);
      expect(findings.filter((f) => f.line === 1).map((f) => f.rule)).toEqual([
        'gateway-names',
        'names-pattern',
        'openapi-version',
      ]);
    });

    it('takes the action-group name from the file name unless given', () => {
      // Prepare
      const longName = 'x'.repeat(60);
      // Act / Assess
      expect(checkSchemaText(VALID, `schemas/${longName}.yaml`).map((f) => f.rule)).toEqual([
        'gateway-names',
        'tool-name-length',
      ]);
      expect(checkSchemaText(VALID, `schemas/${longName}.yaml`, 'tickets')).toEqual([]);
      expect(checkSchemaText(VALID, 'schemas/bad name.yaml').map((f) => f.rule)).toEqual([
        'gateway-names',
        'names-pattern',
        'tool-name-length',
      ]);
    });

    it('turns a YAML syntax error into one finding at its line', () => {
      // Prepare
      const text = 'openapi: 3.0.0\ninfo:\n  title: [unclosed\n  version: 1.0.0\n';
      // Act
      const findings = checkSchemaText(text, 'schemas/report.yaml');
      // Assess
      expect(findings).toHaveLength(1);
      expect(findings[0]).toMatchObject({ rule: 'yaml-syntax', file: 'schemas/report.yaml', pointer: '' });
      expect(findings[0]?.line).toBeGreaterThanOrEqual(3);
      expect(findings[0]?.message).toMatch(/^not valid YAML: .+; fix the YAML syntax at this line/);
    });

    it('reports an empty document as missing openapi, info and paths', () => {
      expect(checkSchemaText('', 'schemas/empty.yaml').map((f) => f.rule)).toEqual([
        'info-present',
        'openapi-version',
        'paths-present',
      ]);
    });
  });

  describe('Function: groupOfFile', () => {
    it.each([
      ['schemas/code-review.yaml', 'code-review'],
      ['C:\\repo\\schemas\\report.yml', 'report'],
      ['summarize', 'summarize'],
    ])('%s → %s', (file, group) => {
      expect(groupOfFile(file)).toBe(group);
    });
  });

  describe('Function: checkSchemaSet', () => {
    it('adds the set rules to the findings of each file', () => {
      // Prepare: 30 operations per file, so 2 files declare 60 and the knowledge tool makes 61
      const many = (n: number) => ticketsDocument(n);
      // Act
      const under = checkSchemaSet([
        { text: many(29), file: 'schemas/a.yaml' },
        { text: many(30), file: 'schemas/b.yaml' },
      ]);
      const over = checkSchemaSet([
        { text: many(30), file: 'schemas/a.yaml' },
        { text: many(30), file: 'schemas/b.yaml' },
      ]);
      // Assess
      expect(under.filter((f) => f.rule === 'gateway-tool-count')).toEqual([]);
      expect(over.filter((f) => f.rule === 'gateway-tool-count').map((f) => [f.file, f.pointer])).toEqual([
        ['schemas/b.yaml', '/paths/~1t29/get'],
      ]);
    });

    it('skips files that do not parse in the set rules, and reports their syntax error', () => {
      const findings = checkSchemaSet([{ text: 'a: [', file: 'schemas/x.yaml' }]);
      expect(findings.map((f) => f.rule)).toEqual(['yaml-syntax']);
    });
  });
});

/** A document with `n` GET operations `/t0` … `/t<n-1>`. */
function ticketsDocument(n: number): string {
  const paths = Array.from(
    { length: n },
    (_, i) =>
      `  /t${i}:\n    get:\n      operationId: op${i}\n      description: Op ${i}.\n      responses: { '200': { description: Ok } }`,
  ).join('\n');
  return `openapi: 3.0.0\ninfo: { title: T, version: 1.0.0 }\npaths:\n${paths}\n`;
}
