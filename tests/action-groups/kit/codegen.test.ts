import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expectedText, findTargets, main } from '../../../action-groups/kit/codegen/cli';
import { generateToolTypes, pascalCase } from '../../../action-groups/kit/codegen/generate-types';
import reportSchema from '../../fixtures/schemas/kit-report.yaml';
import typesSchema from '../../fixtures/schemas/kit-types.yaml';

const FIXTURES = path.join(__dirname, '../../fixtures');
const fixtureOptions = (schema: string) => ({
  kitImport: '../../../action-groups/kit/tool',
  source: `tests/fixtures/schemas/${schema}.yaml`,
});

describe('Function: generateToolTypes', () => {
  it('writes an input, an output and a handler entry per operation', () => {
    // Act
    const text = generateToolTypes(reportSchema, 'report');

    // Assess
    expect(text).toContain("import type { ToolContext, WithStatus } from '../kit/tool';");
    for (const name of ['ListTickets', 'CreateTicket', 'GetTicket']) {
      expect(text).toContain(`export interface ${name}Input {`);
      expect(text).toMatch(new RegExp(`export (interface|type) ${name}Output\\b`));
    }
    expect(text).toContain('export type ReportOperations = {');
    expect(text).toContain(
      '  getTicket: (input: GetTicketInput, ctx: ToolContext) => Promise<GetTicketOutput | WithStatus<GetTicketOutput>>;',
    );
  });

  it('marks required, optional and defaulted fields as the schema says', () => {
    // Act
    const text = generateToolTypes(typesSchema, 'types');

    // Assess
    expect(text).toContain('    name: string;');
    expect(text).toContain('    email?: string;');
    expect(text).toContain('    enabled: boolean;'); // has a default, so always present
    expect(text).toContain('    limit: number;'); // query parameter with a default
    expect(text).toContain('    ratio?: number;');
    expect(text).toContain('    itemId: number;'); // path parameters are required
    expect(text).toContain('    note?: string | null;');
    expect(text).toContain('    "x-trace"?: string;');
    expect(text).toContain('    tags?: string[];');
    expect(text).toContain('export type TypesOperations = {');
    expect(text).toContain('  create_item: (input: CreateItemInput');
  });

  it('types list outputs and resolved $ref outputs', () => {
    // Act
    const report = generateToolTypes(reportSchema, 'report');
    const types = generateToolTypes(typesSchema, 'types');

    // Assess
    expect(report).toContain('export type ListTicketsOutput = Array<{');
    expect(types).toContain('export interface CreateItemOutput {\n  itemId: number;');
    expect(types).toContain('  items: Array<{');
  });

  it('uses Record<string, never> where an operation has no parameters or body', () => {
    // Act
    const text = generateToolTypes(reportSchema, 'report');

    // Assess
    expect(text).toContain(
      'export interface ListTicketsInput {\n  params: Record<string, never>;\n  body: Record<string, never>;\n}',
    );
  });

  it.each([
    ['listTickets', 'ListTickets'],
    ['create_item', 'CreateItem'],
    ['code-review', 'CodeReview'],
    ['2fa', 'Op2fa'],
  ])('names %s as %s', (name, expected) => {
    // Act & Assess
    expect(pascalCase(name)).toBe(expected);
  });

  it.each([
    { schema: 'kit-report', group: 'report' },
    { schema: 'kit-types', group: 'types' },
  ])('matches the checked-in fixture types for $schema', ({ schema, group }) => {
    // Prepare
    const schemaText = readFileSync(path.join(FIXTURES, 'schemas', `${schema}.yaml`), 'utf8');

    // Act
    const text = generateToolTypes(schemaText, group, fixtureOptions(schema));

    // Assess
    expect(readFileSync(path.join(FIXTURES, 'tools', `${group}.schema.generated.ts`), 'utf8')).toBe(text);
  });
});

describe('Function: findTargets', () => {
  it('keeps every checked-in schema.generated.ts equal to a fresh generation', () => {
    // Prepare
    const targets = findTargets();

    // Act
    const stale = targets.filter((target) => {
      try {
        return readFileSync(target.outPath, 'utf8') !== expectedText(target);
      } catch {
        return true; // missing
      }
    });

    // Assess
    expect(stale.map((t) => path.relative(process.cwd(), t.outPath))).toEqual([]);
  });
});

describe('Function: main', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'kass-codegen-'));
    mkdirSync(path.join(root, 'schemas'));
    mkdirSync(path.join(root, 'action-groups', 'report'), { recursive: true });
    writeFileSync(path.join(root, 'schemas', 'report.yaml'), reportSchema);
    writeFileSync(path.join(root, 'schemas', 'draft.yaml'), reportSchema); // no tool folder: skipped
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
    jest.restoreAllMocks();
  });

  it('fails --check while a file is missing, writes it, then passes --check', () => {
    // Act
    const before = main(['--check'], root);
    const write = main([], root);
    const after = main(['--check'], root);

    // Assess
    expect([before, write, after]).toEqual([1, 0, 0]);
    expect(readFileSync(path.join(root, 'action-groups', 'report', 'schema.generated.ts'), 'utf8')).toBe(
      generateToolTypes(reportSchema, 'report'),
    );
    expect(findTargets(root).map((t) => t.group)).toEqual(['report']);
  });

  it('fails --check when the schema changed after generation', () => {
    // Prepare
    main([], root);
    writeFileSync(
      path.join(root, 'schemas', 'report.yaml'),
      reportSchema.replace('Short summary', 'One-line summary'),
    );

    // Act
    const code = main(['--check'], root);

    // Assess
    expect(code).toBe(1);
    expect(console.error).toHaveBeenCalledWith(
      expect.stringContaining('action-groups/report/schema.generated.ts'),
    );
  });
});
