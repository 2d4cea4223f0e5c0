import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { DEFAULT_LIMITS, DOCUMENTS_PREFIX, isSidecar } from '../../../cli/sync/layout';
import { scanFolder } from '../../../cli/sync/scan';
import { validateFiles } from '../../../cli/sync/validate';
import {
  DOCUMENT_FOLDERS,
  DOCUMENTS_PREFIX as INFRA_PREFIX,
} from '../../../infra/constructs/documents-bucket';
import {
  buildPdf,
  buildTableAndScanPdf,
  crc32,
  GLYPHS,
  INCIDENT_ESCALATION,
  MAINTENANCE_WINDOWS,
  renderScan,
  writeSamples,
} from '../../../knowledge/make-samples';

const DOCUMENTS = path.join(__dirname, '../../../knowledge/documents');

/** Reads a ZIP's central directory and inflates every entry, checking sizes and CRCs. */
function unzip(data: Buffer): Map<string, Buffer> {
  const end = data.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = data.readUInt16LE(end + 10);
  let at = data.readUInt32LE(end + 16);
  const entries = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    expect(data.readUInt32LE(at)).toBe(0x02014b50);
    const crc = data.readUInt32LE(at + 16);
    const compressed = data.readUInt32LE(at + 20);
    const size = data.readUInt32LE(at + 24);
    const nameLength = data.readUInt16LE(at + 28);
    const local = data.readUInt32LE(at + 42);
    const name = data.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    expect(data.readUInt32LE(local)).toBe(0x04034b50);
    const start = local + 30 + data.readUInt16LE(local + 26) + data.readUInt16LE(local + 28);
    const content = inflateRawSync(data.subarray(start, start + compressed));
    expect(content.length).toBe(size);
    expect(crc32(content)).toBe(crc);
    entries.set(name, content);
    at += 46 + nameLength;
  }
  return entries;
}

describe('Sample corpus: knowledge/documents', () => {
  it('passes the sync checks, every document with a team, year and tags sidecar', async () => {
    // Prepare
    const scan = await scanFolder(DOCUMENTS);
    // Act
    const result = await validateFiles(
      scan.files,
      (f) => fs.promises.readFile(f.absPath, 'utf8'),
      DEFAULT_LIMITS,
    );
    // Assess
    expect(result.rejected).toEqual([]);
    const documents = scan.files.filter((f) => !isSidecar(f.relPath)).map((f) => f.relPath);
    expect(documents.map((d) => d.split('/')[0]).sort()).toEqual([
      'excel',
      'pdf',
      'pdf',
      'raw',
      'raw',
      'raw',
    ]);
    for (const doc of documents) {
      const { metadataAttributes } = JSON.parse(
        fs.readFileSync(path.join(DOCUMENTS, `${doc}.metadata.json`), 'utf8'),
      );
      const plain = (value: { value?: Record<string, unknown> } | unknown) => {
        const typed = (value as { value?: Record<string, unknown> }).value;
        return typed ? (typed.stringValue ?? typed.numberValue ?? typed.stringListValue) : value;
      };
      expect(typeof plain(metadataAttributes.team)).toBe('string');
      expect(plain(metadataAttributes.year)).toEqual(expect.any(Number));
      expect(plain(metadataAttributes.tags)).toEqual(expect.arrayContaining([expect.any(String)]));
    }
  });

  it('holds exactly what knowledge/make-samples.ts generates', () => {
    // Prepare
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kass-samples-'));
    fs.mkdirSync(path.join(dir, 'pdf'));
    fs.mkdirSync(path.join(dir, 'excel'));
    // Act
    const written = writeSamples(dir);
    // Assess
    for (const rel of written)
      expect(fs.readFileSync(path.join(dir, rel))).toEqual(fs.readFileSync(path.join(DOCUMENTS, rel)));
  });

  it('has a well-formed XLSX (valid ZIP with the SpreadsheetML parts)', () => {
    const entries = unzip(fs.readFileSync(path.join(DOCUMENTS, 'excel/on-call-rota-2025.xlsx')));
    expect([...entries.keys()]).toEqual([
      '[Content_Types].xml',
      '_rels/.rels',
      'xl/workbook.xml',
      'xl/_rels/workbook.xml.rels',
      'xl/worksheets/sheet1.xml',
      'xl/sharedStrings.xml',
      'xl/styles.xml',
    ]);
    expect(entries.get('xl/sharedStrings.xml')?.toString()).toContain(
      '<t xml:space="preserve">Primary on-call</t>',
    );
    expect(entries.get('xl/worksheets/sheet1.xml')?.toString()).toContain('<dimension ref="A1:F7"/>');
  });

  it('has a well-formed PDF: every xref offset points at its object, stream lengths are exact', () => {
    // Prepare
    const pdf = fs.readFileSync(path.join(DOCUMENTS, 'pdf/incident-escalation.pdf')).toString('latin1');
    // Assess
    const startxref = Number(/startxref\n(\d+)\n%%EOF\n$/.exec(pdf)?.[1]);
    expect(pdf.startsWith('xref\n', startxref)).toBe(true);
    const offsets = [...pdf.slice(startxref).matchAll(/^(\d{10}) 00000 n $/gm)].map((m) => Number(m[1]));
    expect(offsets.length).toBeGreaterThanOrEqual(7);
    for (const [i, offset] of offsets.entries())
      expect(pdf.startsWith(`${i + 1} 0 obj\n`, offset)).toBe(true);
    for (const m of pdf.matchAll(/<< \/Length (\d+) >>\nstream\n/g)) {
      const start = (m.index ?? 0) + m[0].length;
      expect(pdf.slice(start + Number(m[1]), start + Number(m[1]) + 9)).toBe('endstream');
    }
    expect(pdf).toContain('(SEV1: a customer-facing service is down');
  });

  it('has a table page whose cells are written column by column, and a scanned page with no text at all', () => {
    // Prepare
    const pdf = fs.readFileSync(path.join(DOCUMENTS, 'pdf/maintenance-windows.pdf')).toString('latin1');
    const startxref = Number(/startxref\n(\d+)\n%%EOF\n$/.exec(pdf)?.[1]);
    const offsets = [...pdf.slice(startxref).matchAll(/^(\d{10}) 00000 n $/gm)].map((m) => Number(m[1]));
    // Assess: exact cross-references and stream lengths (binary image included).
    expect(offsets).toHaveLength(10);
    for (const [i, offset] of offsets.entries())
      expect(pdf.startsWith(`${i + 1} 0 obj\n`, offset)).toBe(true);
    for (const m of pdf.matchAll(/\/Length (\d+) >>\nstream\n/g)) {
      const start = (m.index ?? 0) + m[0].length;
      expect(
        pdf.slice(start + Number(m[1])).startsWith('\nendstream') ||
          pdf.slice(start + Number(m[1])).startsWith('endstream'),
      ).toBe(true);
    }
    expect(pdf).toContain('/Count 2');
    // The first column's cells come before any cell of the second: row order is lost to a text extractor.
    const literal = (text: string) => text.replace(/[()\\]/g, (ch) => `\\${ch}`);
    const column = (c: number) =>
      MAINTENANCE_WINDOWS.table.map((row) => pdf.indexOf(`(${literal(row[c] ?? '')}) Tj`));
    expect(column(1).every((at) => at > 0)).toBe(true);
    expect(Math.max(...column(0))).toBeLessThan(Math.min(...column(1)));
    // Page 2 shows only the image: no text operator and no font in its resources.
    expect(pdf).toMatch(/\/Resources << \/XObject << \/Im1 10 0 R >> >> \/Contents 9 0 R/);
    expect(pdf).toContain('stream\nq 612 0 0 792 0 0 cm /Im1 Do Q\nendstream');
    expect(pdf).not.toContain('48 HOURS');
  });

  it('renders the scanned memo from its glyphs (the 48-hour rule is only in the pixels)', () => {
    // Act
    const scan = renderScan(['48 HOURS']);
    // Assess: each glyph's lit cells are ink, the paper around them is not.
    const ink = (x: number, y: number) => (scan.pixels[y * scan.width + x] ?? 0) < 0x60;
    const glyph = GLYPHS['4'] ?? [];
    for (let gy = 0; gy < 7; gy++)
      for (let gx = 0; gx < 5; gx++)
        expect(ink(60 + gx * 3 + 1, 90 + gy * 3 + 1)).toBe(Boolean((glyph[gy] ?? 0) & (0x10 >> gx)));
    expect(MAINTENANCE_WINDOWS.scan.join(' ')).toContain('48 HOURS');
    expect(() => renderScan(['lower case'])).toThrow('no glyph');
    expect(() => renderScan(['X'.repeat(41)])).toThrow('too long');
    expect(() => buildTableAndScanPdf({ ...MAINTENANCE_WINDOWS, title: 'café' })).toThrow('printable ASCII');
  });

  it('rejects non-ASCII PDF text instead of writing a broken file', () => {
    expect(() => buildPdf({ ...INCIDENT_ESCALATION, paragraphs: ['café'] })).toThrow('printable ASCII');
  });

  it('uploads under the data source inclusion prefix and folders of the documents bucket', () => {
    expect(DOCUMENTS_PREFIX).toBe(INFRA_PREFIX);
    for (const folder of Object.keys(DOCUMENT_FOLDERS))
      expect(fs.existsSync(path.join(DOCUMENTS, folder))).toBe(true);
    expect(Object.values(DOCUMENT_FOLDERS).every((prefix) => prefix.startsWith(DOCUMENTS_PREFIX))).toBe(true);
  });
});
