import { ProjectNotAllowed } from '../../../action-groups/code-review/errors';
import { ProjectAllowlist, parseProjectRef } from '../../../action-groups/code-review/project-ref';
import { InvalidInput } from '../../../action-groups/kit/errors';

describe('Function: parseProjectRef', () => {
  it.each([
    { raw: '42', expected: { kind: 'id', value: '42' } },
    { raw: ' 0042 ', expected: { kind: 'id', value: '42' } },
    { raw: 'group/project', expected: { kind: 'path', value: 'group/project' } },
    { raw: 'group%2Fsub%2Fproject', expected: { kind: 'path', value: 'group/sub/project' } },
    { raw: 'group%2fsub%2fproject', expected: { kind: 'path', value: 'group/sub/project' } },
    { raw: '/My-Group/my.project_2/', expected: { kind: 'path', value: 'My-Group/my.project_2' } },
  ])('reads $raw', ({ raw, expected }) => {
    // Act & Assess
    expect(parseProjectRef(raw)).toEqual(expected);
  });

  it.each([
    '',
    '0',
    'project',
    'group/../project',
    'group/./project',
    'group/.hidden',
    'group/project.',
    'group/-project',
    'group/pro ject',
    'group/project?x=1',
    'group/project#x',
    'group%252Fproject',
    'group%E0%A4%A',
    'https://gitlab.com/group/project',
    `${'a/'.repeat(30)}b`,
    '99999999999999999999',
  ])('rejects %p with a message naming projectId', (raw) => {
    // Act & Assess
    expect(() => parseProjectRef(raw)).toThrow(InvalidInput);
    try {
      parseProjectRef(raw);
    } catch (error) {
      expect((error as InvalidInput).fields[0]).toMatch(/^projectId: must be a numeric project id/);
    }
  });
});

describe('Class: ProjectAllowlist', () => {
  const allowlist = ProjectAllowlist.of(['Platform/Backend/API', '42']);

  it.each([
    { raw: 'platform/backend/api', value: 'platform/backend/api' },
    { raw: 'PLATFORM%2FBACKEND%2FAPI', value: 'PLATFORM/BACKEND/API' },
    { raw: '42', value: '42' },
  ])('allows $raw (paths case-insensitively)', ({ raw, value }) => {
    // Act & Assess
    expect(allowlist.authorize(raw).value).toBe(value);
  });

  it('refuses a project not on the list and names the allowed ones', () => {
    // Act & Assess
    expect(() => allowlist.authorize('platform/backend/web')).toThrow(ProjectNotAllowed);
    expect(() => allowlist.authorize('platform/backend/web')).toThrow(
      /Project platform\/backend\/web is not on the list.*allowed: Platform\/Backend\/API, 42/,
    );
  });

  it('does not match a numeric id against a path entry (that would need a GitLab call first)', () => {
    // Act & Assess
    expect(() => allowlist.authorize('43')).toThrow(ProjectNotAllowed);
  });

  it('refuses everything when empty, telling the operator which key to set', () => {
    // Prepare
    const empty = ProjectAllowlist.of([]);

    // Act & Assess
    expect(empty.size).toBe(0);
    expect(() => empty.authorize('group/project')).toThrow(/tools\.codeReview\.projectAllowlist/);
  });

  it('reports a malformed reference as invalid input even when the list is empty', () => {
    // Act & Assess
    expect(() => ProjectAllowlist.of([]).authorize('../etc')).toThrow(InvalidInput);
  });

  it('fails fast on an invalid configured entry, naming its index', () => {
    // Act & Assess
    expect(() => ProjectAllowlist.of(['group/project', 'not a project'])).toThrow(
      /tools\.codeReview\.projectAllowlist\[1\]/,
    );
  });
});
