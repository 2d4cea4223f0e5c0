import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_LIMITS } from '../../../cli/sync/layout';
import { SKIP_REASONS, scanFolder } from '../../../cli/sync/scan';
import { sidecarProblems, validateFiles } from '../../../cli/sync/validate';

const json = (value: unknown) => JSON.stringify(value);

describe('Function: sidecarProblems', () => {
  it.each([
    {
      name: 'simple values',
      doc: { metadataAttributes: { team: 'sre', year: 2024, public: true, tags: ['a'] } },
    },
    {
      name: 'typed values',
      doc: {
        metadataAttributes: {
          team: { value: { type: 'STRING', stringValue: 'sre' }, includeForEmbedding: false },
          year: { value: { type: 'NUMBER', numberValue: 2024 } },
          ok: { value: { type: 'BOOLEAN', booleanValue: true } },
          tags: { value: { type: 'STRING_LIST', stringListValue: ['a', 'b'] }, includeForEmbedding: true },
        },
      },
    },
    { name: 'no attributes', doc: { metadataAttributes: {} } },
  ])('accepts $name', ({ doc }) => {
    expect(sidecarProblems(json(doc), 'raw/a.md')).toEqual([]);
  });

  it('accepts documentStructureConfiguration on a CSV sidecar only', () => {
    const doc = json({
      metadataAttributes: {},
      documentStructureConfiguration: { type: 'RECORD_BASED_STRUCTURE_METADATA' },
    });
    expect(sidecarProblems(doc, 'raw/a.csv')).toEqual([]);
    expect(sidecarProblems(doc, 'raw/a.md')).toEqual([
      'documentStructureConfiguration applies to .csv files only',
    ]);
  });

  it.each([
    { name: 'broken JSON', text: '{"metadataAttributes": ', expected: /^not valid JSON \(/ },
    { name: 'an array', text: '[]', expected: /^must be a JSON object/ },
    { name: 'no metadataAttributes', text: json({ team: 'sre' }), expected: /unexpected key "team"/ },
    {
      name: 'attributes as a list',
      text: json({ metadataAttributes: [] }),
      expected: /metadataAttributes must be an object/,
    },
    {
      name: 'a null value',
      text: json({ metadataAttributes: { team: null } }),
      expected: /attribute "team": use a string/,
    },
    {
      name: 'a mixed list',
      text: json({ metadataAttributes: { tags: ['a', 1] } }),
      expected: /strings only/,
    },
    {
      name: 'an unknown type',
      text: json({ metadataAttributes: { team: { value: { type: 'TEXT', stringValue: 'x' } } } }),
      expected: /value\.type must be one of STRING, NUMBER, BOOLEAN, STRING_LIST/,
    },
    {
      name: 'a type without its field',
      text: json({ metadataAttributes: { year: { value: { type: 'NUMBER', stringValue: '2024' } } } }),
      expected: /type NUMBER needs a valid "numberValue"/,
    },
    {
      name: 'a non-boolean includeForEmbedding',
      text: json({
        metadataAttributes: {
          a: { value: { type: 'STRING', stringValue: 'x' }, includeForEmbedding: 'yes' },
        },
      }),
      expected: /includeForEmbedding must be true or false/,
    },
    {
      name: 'a key over 100 characters',
      text: json({ metadataAttributes: { ['k'.repeat(101)]: 'x' } }),
      expected: /keys must be 1-100 characters/,
    },
  ])('rejects $name', ({ text, expected }) => {
    expect(sidecarProblems(text, 'raw/a.md').join('; ')).toMatch(expected);
  });
});

describe('Function: validateFiles', () => {
  const file = (relPath: string, size = 10) => ({ relPath, absPath: `/x/${relPath}`, size });

  it('rejects the sidecar of a rejected document, and documents without an extension', async () => {
    // Act
    const result = await validateFiles(
      [file('raw/a.exe'), file('raw/a.exe.metadata.json'), file('raw/README'), file('raw/ok.MD')],
      async () => json({ metadataAttributes: {} }),
      DEFAULT_LIMITS,
    );
    // Assess
    expect(result.accepted.map((f) => f.relPath)).toEqual(['raw/ok.MD']);
    expect(result.rejected).toEqual([
      { relPath: 'raw/README', reason: expect.stringMatching(/^no file extension/) },
      { relPath: 'raw/a.exe', reason: expect.stringMatching(/^unsupported file type \.exe/) },
      {
        relPath: 'raw/a.exe.metadata.json',
        reason: expect.stringMatching(/its document raw\/a\.exe is rejected/),
      },
    ]);
  });

  it('rejects empty documents and keys over 1,024 bytes', async () => {
    const long = `raw/${'é'.repeat(510)}.md`;
    const result = await validateFiles([file('raw/empty.md', 0), file(long)], async () => '', DEFAULT_LIMITS);
    expect(result.rejected.map((r) => r.reason)).toEqual([
      'empty file (nothing to index)',
      'S3 key longer than 1024 bytes',
    ]);
  });

  it('accepts a file of exactly the size limit', async () => {
    const result = await validateFiles(
      [
        file('raw/max.pdf', DEFAULT_LIMITS.maxDocumentBytes),
        file('raw/over.pdf', DEFAULT_LIMITS.maxDocumentBytes + 1),
      ],
      async () => '',
      DEFAULT_LIMITS,
    );
    expect(result.accepted.map((f) => f.relPath)).toEqual(['raw/max.pdf']);
    expect(result.rejected[0]?.reason).toBe('50.0 MB is over the 50.0 MB per-file ingestion limit');
  });
});

describe('Function: scanFolder', () => {
  it('lists files recursively with / paths, skipping hidden ones and folder symlinks', async () => {
    // Prepare
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kass-scan-'));
    fs.mkdirSync(path.join(dir, 'raw/deep'), { recursive: true });
    fs.mkdirSync(path.join(dir, '.git'));
    fs.writeFileSync(path.join(dir, 'raw/deep/a.md'), 'a');
    fs.writeFileSync(path.join(dir, 'raw/b.txt'), 'bb');
    fs.writeFileSync(path.join(dir, '.git/config'), 'x');
    fs.writeFileSync(path.join(dir, 'raw/.DS_Store'), 'x');
    fs.symlinkSync(path.join(dir, 'raw/b.txt'), path.join(dir, 'raw/link.txt'));
    fs.symlinkSync(path.join(dir, 'raw'), path.join(dir, 'loop'));
    // Act
    const scan = await scanFolder(dir);
    // Assess
    expect(scan.files.map((f) => [f.relPath, f.size])).toEqual([
      ['raw/b.txt', 2],
      ['raw/deep/a.md', 1],
      ['raw/link.txt', 2],
    ]);
    expect(scan.ignored).toEqual(['.git', 'raw/.DS_Store']);
    expect(scan.skipped).toEqual([{ relPath: 'loop', reason: SKIP_REASONS.folderLink }]);
  });

  it('skips links that leave the folder, broken links and special files, by name and reason', async () => {
    // Prepare: a folder beside the synced one, reached by absolute and relative links and a `..` chain
    const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'kass-scan-')));
    const dir = path.join(root, 'docs');
    fs.mkdirSync(path.join(dir, 'raw'), { recursive: true });
    fs.mkdirSync(path.join(root, 'outside'));
    fs.writeFileSync(path.join(root, 'outside', 'secret.md'), 's');
    fs.symlinkSync(path.join(root, 'outside', 'secret.md'), path.join(dir, 'raw', 'absolute.md'));
    fs.symlinkSync('../../outside/secret.md', path.join(dir, 'raw', 'relative.md'));
    fs.symlinkSync('../raw/../../outside', path.join(dir, 'raw', 'dotdot'));
    fs.symlinkSync('nowhere.md', path.join(dir, 'raw', 'broken.md'));
    fs.symlinkSync(dir, path.join(dir, 'raw', 'self'));

    // Act
    const scan = await scanFolder(dir);

    // Assess
    expect(scan.files).toEqual([]);
    expect(scan.skipped).toEqual([
      { relPath: 'raw/absolute.md', reason: SKIP_REASONS.outside },
      { relPath: 'raw/broken.md', reason: SKIP_REASONS.broken },
      { relPath: 'raw/dotdot', reason: SKIP_REASONS.outside },
      { relPath: 'raw/relative.md', reason: SKIP_REASONS.outside },
      { relPath: 'raw/self', reason: SKIP_REASONS.folderLink },
    ]);
  });
});
