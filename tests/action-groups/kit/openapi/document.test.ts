import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import {
  parseSchemaSource,
  SchemaSyntaxError,
  withoutKassExtensions,
} from '../../../../action-groups/kit/openapi/document';

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

describe('Function: parseSchemaSource (bundled JSON)', () => {
  it.each(['report', 'summarize', 'code-review'])(
    'reads the %s schema as JSON (how Lambda bundles carry it) into the same document as the YAML',
    (name) => {
      // Prepare
      const yamlText = fs.readFileSync(path.join(__dirname, '../../../../schemas', `${name}.yaml`), 'utf8');
      const fromYaml = parseSchemaSource(yamlText, `${name}.yaml`).document;
      // Act
      const fromJson = parseSchemaSource(JSON.stringify(fromYaml), `${name}.yaml`);
      // Assess
      expect(fromJson.document).toEqual(fromYaml);
      expect(fromJson.lineOf(['paths'])).toBe(1);
    },
  );

  it('still reports a syntax error for text that only looks like JSON', () => {
    expect(() => parseSchemaSource('{"openapi": ', 'broken.yaml')).toThrow(SchemaSyntaxError);
  });
});
