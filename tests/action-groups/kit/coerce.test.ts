import { coerceString, coerceValue } from '../../../action-groups/kit/coerce';
import type { JsonSchema } from '../../../action-groups/kit/openapi/json-schema';

describe('Function: coerceString', () => {
  it.each<{ schema: JsonSchema; text: string; value: unknown }>([
    { schema: { type: 'string' }, text: ' spaced ', value: ' spaced ' },
    { schema: {}, text: '12', value: '12' },
    { schema: { type: 'integer' }, text: '12', value: 12 },
    { schema: { type: 'integer' }, text: ' -7 ', value: -7 },
    { schema: { type: 'integer' }, text: '+3', value: 3 },
    { schema: { type: 'integer' }, text: '12.0', value: 12 },
    { schema: { type: 'integer' }, text: '1e3', value: 1000 },
    { schema: { type: 'number' }, text: '0.25', value: 0.25 },
    { schema: { type: 'number' }, text: '.5', value: 0.5 },
    { schema: { type: 'number' }, text: '-1.5e-3', value: -0.0015 },
    { schema: { type: 'boolean' }, text: 'true', value: true },
    { schema: { type: 'boolean' }, text: 'FALSE', value: false },
    { schema: { type: 'boolean' }, text: ' True ', value: true },
    { schema: { type: 'array', items: { type: 'string' } }, text: '["a","b"]', value: ['a', 'b'] },
    { schema: { type: 'array', items: { type: 'string' } }, text: '[a, b]', value: ['a', 'b'] },
    { schema: { type: 'array', items: { type: 'string' } }, text: 'a, b ,c', value: ['a', 'b', 'c'] },
    { schema: { type: 'array', items: { type: 'string' } }, text: '[\'a\', "b"]', value: ['a', 'b'] },
    { schema: { type: 'array', items: { type: 'string' } }, text: '[]', value: [] },
    { schema: { type: 'array', items: { type: 'string' } }, text: '[1, 2]', value: ['1', '2'] },
    { schema: { type: 'array', items: { type: 'integer' } }, text: '[1, 2]', value: [1, 2] },
    { schema: { type: 'array', items: { type: 'integer' } }, text: '1,2,3', value: [1, 2, 3] },
    { schema: { type: 'array', items: { type: 'integer' } }, text: '["4","5"]', value: [4, 5] },
    { schema: { type: 'array', items: { type: 'boolean' } }, text: 'true,false', value: [true, false] },
    { schema: { type: 'array' }, text: 'x,y', value: ['x', 'y'] },
    { schema: { type: 'object' }, text: '{"a":1}', value: { a: 1 } },
    {
      schema: { type: 'object', properties: { n: { type: 'integer' } } },
      text: '{"n":"3","x":1}',
      value: { n: 3, x: 1 },
    },
    { schema: { type: 'integer', nullable: true }, text: 'null', value: null },
    { schema: { type: 'string', nullable: true }, text: 'null', value: 'null' },
  ])('converts $text to $value for $schema.type', ({ schema, text, value }) => {
    // Act
    const result = coerceString(text, schema, 'field');

    // Assess
    expect(result).toEqual({ ok: true, value });
  });

  it.each<{ schema: JsonSchema; text: string; reason: string }>([
    { schema: { type: 'integer' }, text: '12abc', reason: 'must be a whole number, got "12abc"' },
    { schema: { type: 'integer' }, text: '1.5', reason: 'must be a whole number, got "1.5"' },
    { schema: { type: 'integer' }, text: '0x10', reason: 'must be a whole number, got "0x10"' },
    {
      schema: { type: 'integer' },
      text: '9007199254740993',
      reason: 'must be a whole number, got "9007199254740993"',
    },
    { schema: { type: 'integer' }, text: 'twelve', reason: 'must be a whole number, got "twelve"' },
    { schema: { type: 'number' }, text: 'Infinity', reason: 'must be a number, got "Infinity"' },
    { schema: { type: 'number' }, text: '1e400', reason: 'must be a number, got "1e400"' },
    { schema: { type: 'number' }, text: '1,5', reason: 'must be a number, got "1,5"' },
    { schema: { type: 'number' }, text: '', reason: 'must be a number, got ""' },
    { schema: { type: 'boolean' }, text: 'yes', reason: 'must be true or false, got "yes"' },
    { schema: { type: 'boolean' }, text: '1', reason: 'must be true or false, got "1"' },
    {
      schema: { type: 'object' },
      text: '[1]',
      reason: 'must be a JSON object such as {"key": "value"}, got "[1]"',
    },
    {
      schema: { type: 'object' },
      text: 'a=1',
      reason: 'must be a JSON object such as {"key": "value"}, got "a=1"',
    },
  ])('rejects $text for $schema.type', ({ schema, text, reason }) => {
    // Act
    const result = coerceString(text, schema, 'field');

    // Assess
    expect(result).toEqual({ ok: false, issues: [`field: ${reason}`] });
  });

  it('names each bad list item by index', () => {
    // Act
    const result = coerceString('1, two, 3, four', { type: 'array', items: { type: 'integer' } }, 'ids');

    // Assess
    expect(result).toEqual({
      ok: false,
      issues: ['ids[1]: must be a whole number, got "two"', 'ids[3]: must be a whole number, got "four"'],
    });
  });

  it('quotes at most 40 characters of a bad value', () => {
    // Act
    const result = coerceString('x'.repeat(1_000_000), { type: 'integer' }, 'n');

    // Assess
    expect(result).toEqual({ ok: false, issues: [`n: must be a whole number, got "${'x'.repeat(40)}…"`] });
  });
});

describe('Function: coerceValue', () => {
  it('converts declared nested properties and leaves other values for the validator', () => {
    // Prepare
    const schema: JsonSchema = {
      type: 'object',
      properties: {
        when: { type: 'boolean' },
        inner: { type: 'object', properties: { n: { type: 'number' } } },
      },
    };

    // Act
    const result = coerceValue({ when: 'true', inner: { n: '2.5' }, other: 'x' }, schema, 'body');

    // Assess
    expect(result).toEqual({ ok: true, value: { when: true, inner: { n: 2.5 }, other: 'x' } });
  });

  it('names nested problems with their path', () => {
    // Act
    const result = coerceValue(
      { inner: { n: 'x' } },
      { type: 'object', properties: { inner: { type: 'object', properties: { n: { type: 'number' } } } } },
      'meta',
    );

    // Assess
    expect(result).toEqual({ ok: false, issues: ['meta.inner.n: must be a number, got "x"'] });
  });
});
