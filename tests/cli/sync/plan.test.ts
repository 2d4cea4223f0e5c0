import fc from 'fast-check';
import { classify, type HashedFile, planSync, type RemoteObject, resolveCheck } from '../../../cli/sync/plan';

const file = (key: string, size: number, md5 = 'm'.repeat(32), sha256 = 's'.repeat(64)): HashedFile => ({
  key,
  relPath: key.replace(/^documents\//, ''),
  absPath: `/tmp/${key}`,
  size,
  md5,
  sha256,
});
const remote = (key: string, size: number, etag?: string): RemoteObject => ({
  key,
  size,
  etag,
  lastModified: new Date('2025-01-01T00:00:00Z'),
});

describe('Function: classify', () => {
  it.each([
    { name: 'no object', object: undefined, expected: 'new' },
    { name: 'another size', object: remote('documents/a.md', 11, 'm'.repeat(32)), expected: 'modified' },
    {
      name: 'ETag equals the MD5',
      object: remote('documents/a.md', 10, 'm'.repeat(32)),
      expected: 'unchanged',
    },
    {
      name: 'multipart ETag',
      object: remote('documents/a.md', 10, `${'a'.repeat(32)}-2`),
      expected: 'check',
    },
    { name: 'no ETag', object: remote('documents/a.md', 10), expected: 'check' },
  ])('$name → $expected', ({ object, expected }) => {
    expect(classify(file('documents/a.md', 10), object)).toBe(expected);
  });

  it('decides by the stored sha256 after a HeadObject', () => {
    const f = file('documents/a.md', 10);
    expect(resolveCheck(f, f.sha256)).toBe('unchanged');
    expect(resolveCheck(f, 'other')).toBe('modified');
    expect(resolveCheck(f, undefined)).toBe('modified');
  });
});

describe('Function: planSync', () => {
  it('splits files into uploads, unchanged, checks and remote-only objects', () => {
    // Prepare
    const files = [
      file('documents/new.md', 1),
      file('documents/same.md', 2),
      file('documents/grown.md', 3),
      file('documents/kms.md', 4),
    ];
    const objects = [
      remote('documents/same.md', 2, 'm'.repeat(32)),
      remote('documents/grown.md', 2, 'm'.repeat(32)),
      remote('documents/kms.md', 4, 'k'.repeat(32)),
      remote('documents/gone.md', 5),
      remote('documents/rejected.exe', 6),
    ];
    // Act
    const plan = planSync(files, objects, new Set([...files.map((f) => f.key), 'documents/rejected.exe']));
    // Assess
    expect(plan.uploads.map((u) => [u.file.key, u.change])).toEqual([
      ['documents/new.md', 'new'],
      ['documents/grown.md', 'modified'],
    ]);
    expect(plan.unchanged.map((f) => f.key)).toEqual(['documents/same.md']);
    expect(plan.toCheck.map((c) => c.file.key)).toEqual(['documents/kms.md']);
    expect(plan.remoteOnly.map((o) => o.key)).toEqual(['documents/gone.md']);
  });

  it('accounts for every file exactly once and never deletes a local key (property)', () => {
    const key = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f').map((k) => `documents/${k}.md`);
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.record({ key, size: fc.nat(3), md5: fc.constantFrom('x', 'y') }), {
          selector: (f) => f.key,
        }),
        fc.uniqueArray(fc.record({ key, size: fc.nat(3), etag: fc.constantFrom('x', 'y', undefined) }), {
          selector: (o) => o.key,
        }),
        (locals, remotes) => {
          const files = locals.map((l) => file(l.key, l.size, l.md5));
          const objects = remotes.map((r) => remote(r.key, r.size, r.etag));
          const plan = planSync(files, objects, new Set(files.map((f) => f.key)));
          const seen = [
            ...plan.uploads.map((u) => u.file.key),
            ...plan.unchanged.map((f) => f.key),
            ...plan.toCheck.map((c) => c.file.key),
          ].sort();
          expect(seen).toEqual(files.map((f) => f.key).sort());
          for (const o of plan.remoteOnly) expect(files.some((f) => f.key === o.key)).toBe(false);
          expect(
            plan.remoteOnly.length + files.filter((f) => objects.some((o) => o.key === f.key)).length,
          ).toBe(objects.length);
        },
      ),
    );
  });
});
