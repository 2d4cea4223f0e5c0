import { parse } from 'yaml';
import { withoutKassExtensions } from '../../../../action-groups/kit/openapi/document';

const DOC = `# A comment the agent may keep.
openapi: 3.0.0
info: { title: T, version: 1.0.0, x-kass-owner: team-a }
paths:
  /summaries:
    post:
      operationId: summarizeText
      description: Summarizes text.
      x-kass-readOnly: true
      x-requireConfirmation: DISABLED
      responses:
        '200': { description: ok }
`;

describe('Function: withoutKassExtensions', () => {
  it('removes every x-kass-* key and keeps everything else, Bedrock extensions included', () => {
    // Act
    const out = withoutKassExtensions(DOC);

    // Assess
    const expected = parse(DOC) as Record<string, unknown>;
    const info = expected.info as Record<string, unknown>;
    delete info['x-kass-owner'];
    const post = (expected.paths as Record<string, Record<string, Record<string, unknown>>>)['/summaries']
      ?.post;
    delete post?.['x-kass-readOnly'];
    expect(parse(out)).toEqual(expected);
    expect(out).not.toMatch(/x-kass-/);
    expect(out).toContain('x-requireConfirmation: DISABLED');
  });

  it('returns a document without KASS extensions unchanged, to the byte', () => {
    // Prepare
    const plain = DOC.replace('      x-kass-readOnly: true\n', '').replace(', x-kass-owner: team-a', '');

    // Act + Assess
    expect(withoutKassExtensions(plain)).toBe(plain);
  });
});
