import { requireEnv } from '../../../action-groups/kit/env';

describe('Function: requireEnv', () => {
  const NAME = 'KASS_TEST_TABLE_NAME';
  afterEach(() => {
    delete process.env[NAME];
  });

  it('returns a set variable', () => {
    // Prepare
    process.env[NAME] = 'tickets';

    // Act & Assess
    expect(requireEnv(NAME)).toBe('tickets');
  });

  it.each([undefined, '', '  '])('throws naming the variable when it is %p', (value) => {
    // Prepare
    if (value !== undefined) process.env[NAME] = value;

    // Act & Assess
    expect(() => requireEnv(NAME)).toThrow(`Missing environment variable ${NAME}`);
  });
});
