import type { AgentEventProperty } from '../../../action-groups/kit/event';
import { parseSchemaSource } from '../../../action-groups/kit/openapi/document';
import { type Operation, readOperations } from '../../../action-groups/kit/openapi/operations';
import { compileInputReader, compileSchema } from '../../../action-groups/kit/validate';
import typesSchema from '../../fixtures/schemas/kit-types.yaml';

const operations = readOperations(parseSchemaSource(typesSchema, 'kit-types.yaml').document);
const operation = (id: string): Operation => {
  const op = operations.find((o) => o.operationId === id);
  if (!op) throw new Error(`no ${id}`);
  return op;
};
const props = (values: Record<string, string>): AgentEventProperty[] =>
  Object.entries(values).map(([name, value]) => ({ name, type: 'string', value }));
const search = compileInputReader(operation('searchItems'));
const create = compileInputReader(operation('create_item'));
const createEvent = (values: Record<string, string>) => ({
  parameters: [],
  requestBody: { content: { 'application/json': { properties: props(values) } } },
});

describe('Function: compileInputReader', () => {
  it('coerces every query parameter to its declared type', () => {
    // Act
    const result = search({
      parameters: props({
        limit: '5',
        ratio: '0.5',
        verbose: 'TRUE',
        tags: '[vpn, wifi]',
        ids: '1,2',
        since: '2025-05-01T14:30:00Z',
        day: '2025-05-01',
        filter: '{"status":"open"}',
      }),
    });

    // Assess
    expect(result).toEqual({
      ok: true,
      ignored: [],
      input: {
        params: {
          limit: 5,
          ratio: 0.5,
          verbose: true,
          tags: ['vpn', 'wifi'],
          ids: [1, 2],
          since: '2025-05-01T14:30:00Z',
          day: '2025-05-01',
          filter: { status: 'open' },
        },
        body: {},
      },
    });
  });

  it('fills in a default and treats a blank optional value as absent', () => {
    // Act
    const result = search({ parameters: props({ limit: '', verbose: ' ' }) });

    // Assess
    expect(result).toEqual({ ok: true, ignored: [], input: { params: { limit: 10 }, body: {} } });
  });

  it('ignores unknown parameters and properties, and reports their names', () => {
    // Act
    const result = create({
      parameters: props({ stray: '1' }),
      requestBody: {
        content: {
          'application/json': { properties: props({ name: 'A', meta: '{"owner":"u1"}', colour: 'red' }) },
        },
      },
    });

    // Assess
    expect(result).toEqual({
      ok: true,
      ignored: ['stray', 'colour'],
      input: { params: {}, body: { name: 'A', meta: { owner: 'u1' }, enabled: true } },
    });
  });

  it('names the unknown fields (clipped, at most five) among the problems of a failed call', () => {
    // Prepare: a missing required `name`, six unknown names, one of them very long.
    const long = 'x'.repeat(500);
    const unknown = Object.fromEntries(['a', 'b', 'c', 'd', long, 'f'].map((n) => [n, '1']));

    // Act
    const result = create({
      requestBody: { content: { 'application/json': { properties: props(unknown) } } },
    });

    // Assess
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const named = result.fields.filter((f) => f.includes('is not a field of create_item'));
    expect(named.map((f) => f.split(':')[0])).toEqual(['a', 'b', 'c', 'd', `${'x'.repeat(60)}…`]);
    expect(named[0]).toMatch(/its fields are .*\bname\b/);
    expect(result.ignored).toHaveLength(6);
  });

  it('uses the first value when a name is repeated', () => {
    // Act
    const result = search({ parameters: [...props({ limit: '3' }), ...props({ limit: '4' })] });

    // Assess
    expect(result).toMatchObject({ ok: true, input: { params: { limit: 3 } } });
  });

  it('reads the body under another media type when the declared one is absent', () => {
    // Act
    const result = create({
      requestBody: { content: { 'text/plain': { properties: props({ name: 'A', meta: '{"owner":"u"}' }) } } },
    });

    // Assess
    expect(result).toMatchObject({ ok: true, input: { body: { name: 'A' } } });
  });

  it.each<{ name: string; values: Record<string, string>; fields: string[] }>([
    {
      name: 'missing required fields',
      values: {},
      fields: ['name: is required. Expected: Display name', 'meta: is required'],
    },
    {
      name: 'an empty name',
      values: { name: '', meta: '{"owner":"u"}' },
      fields: ['name: must not be empty. Expected: Display name'],
    },
    {
      name: 'a long name',
      values: { name: 'n'.repeat(41), meta: '{"owner":"u"}' },
      fields: ['name: must be at most 40 characters long (got 41). Expected: Display name'],
    },
    {
      name: 'a bad email',
      values: { name: 'A', meta: '{"owner":"u"}', email: 'someone' },
      fields: ['email: must be an email address, got "someone". Expected: Owner email'],
    },
    {
      name: 'a relative uri',
      values: { name: 'A', meta: '{"owner":"u"}', website: '/docs' },
      fields: [
        'website: must be an absolute URI such as https://example.com/page, got "/docs". Expected: Project page',
      ],
    },
    {
      name: 'a pattern mismatch',
      values: { name: 'A', meta: '{"owner":"u"}', code: 'abc' },
      fields: [
        'code: must match the pattern ^[A-Z]{3}$, got "abc". Expected: Three capital letters, e.g. ABC',
      ],
    },
    {
      name: 'a negative count',
      values: { name: 'A', meta: '{"owner":"u"}', count: '-1' },
      fields: ['count: must be at least 0 (got -1)'],
    },
    {
      name: 'a non-numeric count',
      values: { name: 'A', meta: '{"owner":"u"}', count: '12abc' },
      fields: ['count: must be a whole number, got "12abc"'],
    },
    {
      name: 'an empty list',
      values: { name: 'A', meta: '{"owner":"u"}', scores: '[]' },
      fields: ['scores: must have at least 1 item (got 0)'],
    },
    {
      name: 'a bad list item',
      values: { name: 'A', meta: '{"owner":"u"}', scores: '[1, "x"]' },
      fields: ['scores[1]: must be a number, got "x"'],
    },
    {
      name: 'a nested missing field',
      values: { name: 'A', meta: '{"priority":2}' },
      fields: ['meta.owner: is required'],
    },
    {
      name: 'a nested range error',
      values: { name: 'A', meta: '{"owner":"u","priority":9}' },
      fields: ['meta.priority: must be at most 3 (got 9)'],
    },
    {
      name: 'a non-object meta',
      values: { name: 'A', meta: 'owner=u' },
      fields: ['meta: must be a JSON object such as {"key": "value"}, got "owner=u"'],
    },
    {
      name: 'null for a non-nullable field',
      values: { name: 'A', meta: '{"owner":null}' },
      fields: ['meta.owner: must not be null. Expected: Owner id'],
    },
  ])('lists every bad field: $name', ({ values, fields }) => {
    // Act
    const result = create(createEvent(values));

    // Assess
    expect(result).toEqual({ ok: false, fields, ignored: [] });
  });

  it('keeps the text "null" for a nullable string (only non-strings read it as null)', () => {
    // Act
    const result = create(createEvent({ name: 'A', meta: '{"owner":"u"}', note: 'null' }));

    // Assess
    expect(result).toMatchObject({ ok: true, input: { body: { note: 'null' } } });
  });

  it.each<{ name: string; values: Record<string, string>; field: string }>([
    {
      name: 'limit above maximum',
      values: { limit: '51' },
      field: 'limit: must be at most 50 (got 51). Expected: Results to return, 1 to 50',
    },
    {
      name: 'ratio below minimum',
      values: { ratio: '-0.1' },
      field: 'ratio: must be at least 0 (got -0.1). Expected: Share between 0 and 1',
    },
    {
      name: 'too many tags',
      values: { tags: 'a,b,c,d,e,f' },
      field: 'tags: must have at most 5 items (got 6). Expected: Tags to match',
    },
    {
      name: 'a date-time without zone',
      values: { since: '2025-05-01T14:30:00' },
      field:
        'since: must be a date-time such as 2025-05-01T14:30:00Z, got "2025-05-01T14:30:00". Expected: Only items changed after this time',
    },
    {
      name: 'an impossible date',
      values: { day: '2025-02-30' },
      field: 'day: must be a date such as 2025-05-01, got "2025-02-30". Expected: Only items of this day',
    },
    {
      name: 'a flag that is not boolean',
      values: { verbose: 'yes' },
      field: 'verbose: must be true or false, got "yes". Expected: Include details',
    },
  ])('reports a bad query parameter: $name', ({ values, field }) => {
    // Act
    const result = search({ parameters: props(values) });

    // Assess
    expect(result).toEqual({ ok: false, fields: [field], ignored: [] });
  });

  it('reports a missing path parameter', () => {
    // Act
    const result = compileInputReader(operation('deleteItem'))({});

    // Assess
    expect(result).toEqual({
      ok: false,
      fields: ['itemId: is required. Expected: Numeric item id'],
      ignored: [],
    });
  });

  it('caps the list of problems', () => {
    // Act
    const result = search({
      parameters: props({ ids: Array.from({ length: 50 }, (_, i) => `x${i}`).join(',') }),
    });

    // Assess
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.fields).toHaveLength(21);
    expect(result.fields[20]).toBe('… and 30 more problems');
  });
});

describe('Function: compileSchema', () => {
  it('counts characters, not UTF-16 units', () => {
    // Prepare
    const check = compileSchema({ type: 'string', maxLength: 2 });
    const issues: string[] = [];

    // Act
    check('😀😀', 'emoji', issues);

    // Assess
    expect(issues).toEqual([]);
  });

  it('skips an invalid pattern instead of failing every call', () => {
    // Prepare
    const check = compileSchema({ type: 'string', pattern: '([' });
    const issues: string[] = [];

    // Act
    check('anything', 'field', issues);

    // Assess
    expect(issues).toEqual([]);
  });
});
