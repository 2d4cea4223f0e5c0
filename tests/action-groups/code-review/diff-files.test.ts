import { classifyFile, inNewLines, numberDiff } from '../../../action-groups/code-review/diff-files';
import { changedFile } from './support/fakes';

describe('Function: numberDiff', () => {
  it('numbers added and context lines with their new-file line and records the hunk ranges', () => {
    // Prepare
    const diff = [
      '@@ -10,4 +10,5 @@ export function pay() {',
      '   const a = 1;',
      '-  const b = 2;',
      '+  const b = 3;',
      '+  const c = 4;',
      '   return a;',
      '@@ -40,0 +42,2 @@',
      '+x',
      '+y',
      '\\ No newline at end of file',
      '',
    ].join('\n');

    // Act
    const { text, newLines } = numberDiff(diff);

    // Assess
    expect(newLines).toEqual([
      { start: 10, end: 14 },
      { start: 42, end: 43 },
    ]);
    expect(text.split('\n')).toEqual([
      '@@ -10,4 +10,5 @@ export function pay() {',
      '    10     const a = 1;',
      '       -   const b = 2;',
      '    11 +   const b = 3;',
      '    12 +   const c = 4;',
      '    13     return a;',
      '@@ -40,0 +42,2 @@',
      '    42 + x',
      '    43 + y',
      '\\ No newline at end of file',
    ]);
  });

  it('records no range for a hunk that only removes lines', () => {
    // Act & Assess
    expect(numberDiff('@@ -3,2 +2,0 @@\n-a\n-b\n').newLines).toEqual([]);
  });
});

describe('Function: classifyFile', () => {
  it.each([
    { name: 'an image', file: changedFile('docs/logo.PNG', ''), reason: 'binary' },
    {
      name: "GitLab's binary note",
      file: changedFile('data/blob', 'Binary files a/blob and b/blob differ\n'),
      reason: 'binary',
    },
    {
      name: 'a lock file',
      file: changedFile('package-lock.json', '@@ -1 +1 @@\n-a\n+b'),
      reason: 'generated',
    },
    {
      name: 'minified code',
      file: changedFile('public/app.min.js', '@@ -1 +1 @@\n-a\n+b'),
      reason: 'generated',
    },
    {
      name: 'generated types',
      file: changedFile('src/schema.generated.ts', '@@ -1 +1 @@\n-a\n+b'),
      reason: 'generated',
    },
    {
      name: 'vendored code',
      file: changedFile('vendor/lib/x.go', '@@ -1 +1 @@\n-a\n+b'),
      reason: 'generated',
    },
    {
      name: "GitLab's generated flag",
      file: changedFile('src/api.ts', '@@ -1 +1 @@\n-a\n+b', { generated: true }),
      reason: 'generated',
    },
    {
      name: 'a diff GitLab left out',
      file: changedFile('src/big.ts', '', { tooLarge: true }),
      reason: 'too-large',
    },
  ])('skips $name as $reason', ({ file, reason }) => {
    // Act & Assess
    expect(classifyFile(file, 0)).toEqual({ kind: 'skip', skipped: { file: file.newPath, reason } });
  });

  it('reviews a deleted file as a short note without its removed lines', () => {
    // Act
    const result = classifyFile(
      changedFile('src/old.ts', '@@ -1,2 +0,0 @@\n-a\n-b', { deletedFile: true }),
      3,
    );

    // Assess
    expect(result).toEqual({
      kind: 'review',
      file: {
        path: 'src/old.ts',
        oldPath: 'src/old.ts',
        change: 'deleted',
        text: '(file deleted)',
        newLines: [],
        order: 3,
      },
    });
  });

  it('reviews a pure rename as a note', () => {
    // Act
    const result = classifyFile(
      changedFile('src/new.ts', '', { oldPath: 'src/old.ts', renamedFile: true }),
      0,
    );

    // Assess
    expect(result).toMatchObject({
      kind: 'review',
      file: { change: 'renamed', text: '(no content change)' },
    });
  });

  it('checks lines against the hunks of a reviewed file', () => {
    // Prepare
    const result = classifyFile(changedFile('src/a.ts', '@@ -1,2 +5,3 @@\n a\n+b\n c'), 0);
    if (result.kind !== 'review') throw new Error('expected a reviewable file');

    // Act & Assess
    expect([4, 5, 7, 8].map((line) => inNewLines(result.file, line))).toEqual([false, true, true, false]);
  });
});
