import * as fs from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import fc from 'fast-check';
import {
  decodeSegment,
  encodeSegment,
  isOwnSource,
  type RawSourceMap,
  trimSourceMap,
} from '../../../infra/bundling/source-map-trim';

/** A real minified bundle of three modules (two "libraries", one own) and its map. */
function bundleOfThree(): { code: string; map: RawSourceMap } {
  const files: Record<string, string> = {
    'node_modules/lib-a/index.js': 'export function a(x) {\n  return [x, x * 2, String(x)].join("-");\n}\n',
    'node_modules/lib-b/index.js': 'export const b = (s) => s.split("").reverse().join("");\n',
    'src/own.ts':
      "import { a } from 'lib-a';\nimport { b } from 'lib-b';\n\nexport function own(n: number): string {\n  const text = a(n);\n  return b(text) + text.length;\n}\n",
  };
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kass-map-trim-'));
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  }
  const result = buildSync({
    absWorkingDir: root,
    entryPoints: ['src/own.ts'],
    bundle: true,
    minify: true,
    sourcemap: 'external',
    sourcesContent: false,
    format: 'cjs',
    platform: 'node',
    write: false,
    outfile: path.join(root, 'out/index.js'),
  });
  fs.rmSync(root, { recursive: true, force: true });
  const text = (suffix: string) => result.outputFiles.find((f) => f.path.endsWith(suffix))?.text ?? '';
  return { code: text('index.js'), map: JSON.parse(text('index.js.map')) as RawSourceMap };
}

const payload = (map: RawSourceMap): SourceMapPayload => map as unknown as SourceMapPayload;

describe('Source map trimming', () => {
  describe('Function: encodeSegment / decodeSegment', () => {
    it('round-trips any list of whole numbers', () => {
      fc.assert(
        fc.property(fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 }), { maxLength: 5 }), (values) => {
          expect(decodeSegment(encodeSegment(values))).toEqual(values);
        }),
      );
    });

    it('reads the format’s own examples and refuses what is not VLQ', () => {
      expect(decodeSegment('AAgBC')).toEqual([0, 0, 16, 1]);
      expect(decodeSegment('D')).toEqual([-1]);
      expect(() => decodeSegment('A!')).toThrow('not a base64 VLQ digit');
      expect(() => decodeSegment('g')).toThrow('ends inside a number');
    });
  });

  describe('Function: trimSourceMap', () => {
    const { code, map } = bundleOfThree();
    const full = new SourceMap(payload(map));
    const trimmed = trimSourceMap(map, (source) => source.includes('own.ts'));
    const small = new SourceMap(payload(trimmed));
    const lines = code.split('\n');
    const positions = lines.flatMap((line, l) => [...line].map((_, c) => [l, c] as const));

    it('keeps only the accepted sources and the names their mappings use', () => {
      expect(map.sources.length).toBe(3);
      expect(trimmed.sources).toEqual(map.sources.filter((s) => s.includes('own.ts')));
      expect(trimmed.names?.length).toBeLessThan(map.names?.length ?? 0);
      expect(trimmed.mappings.length).toBeLessThan(map.mappings.length);
    });

    it('maps every position of a kept source as before, and every other position to nothing', () => {
      let kept = 0;
      let dropped = 0;
      for (const [line, column] of positions) {
        const before = full.findEntry(line, column) as { originalSource?: string; name?: string };
        const after = small.findEntry(line, column) as { originalSource?: string; name?: string };
        if (before.originalSource?.includes('own.ts')) {
          kept++;
          expect(after).toEqual(before);
        } else {
          dropped++;
          expect(after.originalSource).toBeUndefined();
        }
      }
      expect(kept).toBeGreaterThan(10);
      expect(dropped).toBeGreaterThan(10);
    });

    it('refuses mappings that are not a source map’s', () => {
      const broken = (mappings: string) => () => trimSourceMap({ ...map, mappings }, () => true);
      expect(broken('AA')).toThrow('a segment has 2 fields (1, 4 or 5 expected)');
      expect(broken('AAAA,A!')).toThrow('"!" is not a base64 VLQ digit');
      expect(broken('AAAA;g')).toThrow('segment "g" ends inside a number');
    });

    it('changes nothing when every source is kept', () => {
      const same = new SourceMap(payload(trimSourceMap(map, () => true)));
      for (const [line, column] of positions)
        expect(same.findEntry(line, column)).toEqual(full.findEntry(line, column));
    });
  });

  describe('Function: isOwnSource', () => {
    it.each([
      ['action-groups/report/handler.ts', true],
      ['contracts/env.ts', true],
      ['node_modules/@smithy/core/dist-es/index.js', false],
      ['action-groups/node_modules/x/index.js', false],
      ['../tmp/cache/.build-x/kass-no-yaml:yaml', false],
      ['/abs/elsewhere.ts', false],
    ])('%s → %s', (source, own) => {
      expect(isOwnSource(source)).toBe(own);
    });
  });
});
