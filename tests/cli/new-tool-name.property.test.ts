import fc from 'fast-check';
import { nameProblem, suggestName } from '../../cli/commands/new-tool';

describe('Function: suggestName', () => {
  it('only ever suggests a name that nameProblem accepts', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (name) => {
        const suggestion = suggestName(name);
        if (suggestion !== undefined) expect(nameProblem(suggestion)).toBeUndefined();
      }),
      { numRuns: 2000 },
    );
  });

  it('suggests something for every name made of letters, digits, spaces, _ and - (unless reserved)', () => {
    const word = fc.stringMatching(/^[A-Za-z0-9]{1,8}$/);
    const separator = fc.constantFrom('_', '-', ' ', '__', '--');
    fc.assert(
      fc.property(fc.array(fc.tuple(word, separator), { minLength: 1, maxLength: 4 }), (parts) => {
        const name = parts.map(([w, sep]) => `${w}${sep}`).join('');
        const suggestion = suggestName(name);
        if (['kit', 'shared'].includes(suggestion ?? name.toLowerCase().replace(/[^a-z0-9]/g, ''))) return;
        expect(suggestion).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      }),
    );
  });

  it('leaves an acceptable name alone', () => {
    expect(suggestName('weather-lookup')).toBeUndefined();
    expect(nameProblem('weather-lookup')).toBeUndefined();
  });
});
