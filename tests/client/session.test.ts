import fc from 'fast-check';
import { isValidSessionId, newSessionId, SESSION_ID_PATTERN } from '../../client';

describe('Function: newSessionId', () => {
  it('always makes an id InvokeAgent accepts, different each time', () => {
    // Prepare
    const ids = Array.from({ length: 200 }, () => newSessionId());
    // Act & Assess
    for (const id of ids) expect(id).toMatch(/^[0-9a-zA-Z._:-]{2,100}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('Function: isValidSessionId', () => {
  it('accepts exactly 2-100 characters of 0-9 a-z A-Z . _ : -', () => {
    const allowed = fc.constantFrom(
      ...'0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ._:-'.split(''),
    );
    fc.assert(
      fc.property(fc.array(allowed, { minLength: 2, maxLength: 100 }), (chars) =>
        isValidSessionId(chars.join('')),
      ),
    );
    fc.assert(fc.property(fc.string({ minLength: 101, maxLength: 200 }), (id) => !isValidSessionId(id)));
  });

  it.each(['', 'a', 'has space', 'slash/ed', 'ümlaut', 'x'.repeat(101)])('rejects %j', (id) => {
    expect(isValidSessionId(id)).toBe(false);
    expect(SESSION_ID_PATTERN.test(id)).toBe(false);
  });
});
