import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseSchemaSource } from '../../action-groups/kit/openapi/document';
import { readOperations, WRITE_METHODS } from '../../action-groups/kit/openapi/operations';
import { ALL_RULES, checkSchemaText, groupOfFile } from '../../action-groups/kit/schema-rules';

const SCHEMAS_DIR = path.join(__dirname, '../../schemas');
const files = fs
  .readdirSync(SCHEMAS_DIR)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

const load = (file: string) => {
  const relative = path.join('schemas', file);
  const text = fs.readFileSync(path.join(SCHEMAS_DIR, file), 'utf8');
  return { relative, text, source: parseSchemaSource(text, relative), group: groupOfFile(file) };
};

describe('Shipped schemas', () => {
  it('exist', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  describe.each(files)('%s', (file) => {
    it('passes every Bedrock rule', () => {
      // Prepare
      const { text, relative } = load(file);
      // Act
      const findings = checkSchemaText(text, relative);
      // Assess
      expect(findings.map((f) => `${f.file}:${f.line} ${f.rule} ${f.message}`)).toEqual([]);
    });

    it('has at most 11 operations', () => {
      // Prepare
      const { source, group } = load(file);
      // Act / Assess
      expect(ALL_RULES['max-operations']?.(source, { group })).toEqual([]);
      expect(readOperations(source.document).length).toBeLessThanOrEqual(11);
    });

    it('asks for confirmation on every write (or is an explicitly read-only POST)', () => {
      // Prepare
      const { source, group } = load(file);
      const writes = readOperations(source.document).filter((op) => WRITE_METHODS.includes(op.method));
      // Act
      const findings = ALL_RULES['require-confirmation-on-writes']?.(source, { group });
      // Assess
      expect(findings).toEqual([]);
      const optedOut = writes.filter((op) => !op.requireConfirmation).map((op) => `${op.method} ${op.path}`);
      for (const label of optedOut) expect(label).toMatch(/^POST /);
    });
  });
});
