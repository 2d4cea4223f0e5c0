import type { ReviewableFile } from '../../../action-groups/code-review/diff-files';
import { mergeFindings, parseModelReview } from '../../../action-groups/code-review/findings';

const files: ReviewableFile[] = [
  {
    path: 'src/pay.ts',
    oldPath: 'src/pay.ts',
    change: 'modified',
    text: '',
    newLines: [{ start: 10, end: 20 }],
    order: 0,
  },
  {
    path: 'src/new.ts',
    oldPath: 'src/old.ts',
    change: 'renamed',
    text: '',
    newLines: [{ start: 1, end: 3 }],
    order: 1,
  },
  { path: 'src/gone.ts', oldPath: 'src/gone.ts', change: 'deleted', text: '', newLines: [], order: 2 },
];

describe('Function: parseModelReview', () => {
  it('keeps valid findings and drops invalid ones', () => {
    // Prepare
    const text = `Here is my review:\n\`\`\`json\n${JSON.stringify({
      summary: 'Adds retries.',
      findings: [
        {
          file: 'src/pay.ts',
          line: 12,
          severity: 'Major',
          message: 'Retry without backoff.',
          suggestion: 'Add backoff.',
        },
        { file: 'b/src/pay.ts', line: '15', severity: 'minor', message: 'Magic number.' },
        { file: 'src/old.ts', severity: 'info', message: 'Consider a redirect export.' },
        { file: 'src/gone.ts', severity: 'major', message: 'Still imported elsewhere?' },
        { file: 'src/other.ts', line: 1, severity: 'major', message: 'Not in this part.' },
        { file: 'src/pay.ts', line: 99, severity: 'major', message: 'Outside the diff.' },
        { file: 'src/pay.ts', line: 0, severity: 'major', message: 'Line zero.' },
        { file: 'src/pay.ts', line: 12.5, severity: 'major', message: 'Fractional line.' },
        { file: 'src/pay.ts', line: 12, severity: 'blocker', message: 'Unknown severity.' },
        { file: 'src/pay.ts', line: 12, severity: 'major', message: '   ' },
        { file: 'src/gone.ts', line: 1, severity: 'major', message: 'No new lines in a deleted file.' },
        'not an object',
      ],
    })}\n\`\`\``;

    // Act
    const review = parseModelReview(text, files);

    // Assess
    expect(review).toEqual({
      ok: true,
      summary: 'Adds retries.',
      dropped: 8,
      findings: [
        {
          file: 'src/pay.ts',
          line: 12,
          severity: 'major',
          message: 'Retry without backoff.',
          suggestion: 'Add backoff.',
        },
        { file: 'src/pay.ts', line: 15, severity: 'minor', message: 'Magic number.' },
        { file: 'src/new.ts', severity: 'info', message: 'Consider a redirect export.' },
        { file: 'src/gone.ts', severity: 'major', message: 'Still imported elsewhere?' },
      ],
    });
  });

  it.each([
    { name: 'prose', text: 'The change looks fine to me.' },
    { name: 'broken JSON', text: '{"summary": "x", "findings": [' },
    { name: 'no findings array', text: '{"summary": "x"}' },
  ])('reports $name as unreadable', ({ text }) => {
    // Act & Assess
    expect(parseModelReview(text, files)).toEqual({ ok: false });
  });

  it('clips long messages and suggestions', () => {
    // Prepare
    const text = JSON.stringify({
      findings: [
        { file: 'src/pay.ts', severity: 'info', message: 'm'.repeat(5_000), suggestion: 's'.repeat(5_000) },
      ],
    });

    // Act
    const review = parseModelReview(text, files);

    // Assess
    if (!review.ok) throw new Error('expected a readable review');
    expect(review.summary).toBe('');
    expect(review.findings[0]?.message.length).toBe(600);
    expect(review.findings[0]?.suggestion?.length).toBe(1_000);
  });
});

describe('Function: mergeFindings', () => {
  it('removes duplicates and sorts by severity, file order and line', () => {
    // Prepare
    const order = new Map([
      ['a.ts', 0],
      ['b.ts', 1],
    ]);

    // Act
    const merged = mergeFindings(
      [
        [
          { file: 'b.ts', line: 3, severity: 'minor', message: 'x' },
          { file: 'a.ts', line: 9, severity: 'critical', message: 'y' },
        ],
        [
          { file: 'a.ts', line: 2, severity: 'minor', message: 'z' },
          { file: 'b.ts', line: 3, severity: 'minor', message: 'x' },
        ],
      ],
      order,
    );

    // Assess
    expect(merged.map((f) => `${f.severity} ${f.file}:${f.line}`)).toEqual([
      'critical a.ts:9',
      'minor a.ts:2',
      'minor b.ts:3',
    ]);
  });
});
