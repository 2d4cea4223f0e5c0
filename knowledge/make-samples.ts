import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { deflateRawSync, deflateSync } from 'node:zlib';

/**
 * Generates the binary samples of the corpus (a PDF and an XLSX) without any dependency, byte for byte the
 * same on every run (fixed dates), so regenerating them never makes `kass sync` upload anything:
 *
 *   npx tsx knowledge/make-samples.ts
 *
 * The text documents and all `.metadata.json` sidecars are written by hand and committed as they are.
 */

// ---------------------------------------------------------------------------------------------------------
// ZIP (the container of an XLSX): stored entries compressed with deflate, one central directory.

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

export function crc32(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = (CRC_TABLE[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** MS-DOS date and time of 2025-01-01 00:00, the fixed timestamp of every entry. */
const DOS_DATE = ((2025 - 1980) << 9) | (1 << 5) | 1;
const DOS_TIME = 0;

/** A ZIP archive of `entries` (name → content), deflated, in the given order. */
export function zip(entries: readonly { name: string; data: Buffer }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const { name, data } of entries) {
    const nameBytes = Buffer.from(name, 'utf8');
    const compressed = deflateRawSync(data, { level: 9 });
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed: 2.0 (deflate)
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4); // made by: 2.0, MS-DOS attributes
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt16LE(DOS_TIME, 12);
    central.writeUInt16LE(DOS_DATE, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(compressed.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    // extra, comment, disk, internal and external attributes stay 0
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, compressed);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + compressed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

// ---------------------------------------------------------------------------------------------------------
// XLSX: one sheet, shared strings, numbers as numbers.

const xmlEscape = (text: string): string =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

const XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const MAIN_NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL_NS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PKG_REL_NS = 'http://schemas.openxmlformats.org/package/2006/relationships';
const CT = 'application/vnd.openxmlformats-officedocument.spreadsheetml';

/** Column letters: 0 → A, 25 → Z, 26 → AA. */
const column = (index: number): string =>
  index < 26 ? String.fromCharCode(65 + index) : column(Math.floor(index / 26) - 1) + column(index % 26);

export type Cell = string | number;

/** An XLSX workbook with one sheet; the first row is the header. */
export function buildXlsx(sheetName: string, rows: readonly (readonly Cell[])[]): Buffer {
  const strings: string[] = [];
  const stringIndex = new Map<string, number>();
  const sharedString = (text: string): number => {
    let index = stringIndex.get(text);
    if (index === undefined) {
      index = strings.length;
      strings.push(text);
      stringIndex.set(text, index);
    }
    return index;
  };
  let stringCount = 0;
  const sheetRows = rows
    .map((row, r) => {
      const cells = row
        .map((cell, c) => {
          const ref = `${column(c)}${r + 1}`;
          if (typeof cell === 'number') return `<c r="${ref}"><v>${cell}</v></c>`;
          stringCount++;
          return `<c r="${ref}" t="s"><v>${sharedString(cell)}</v></c>`;
        })
        .join('');
      return `<row r="${r + 1}">${cells}</row>`;
    })
    .join('');
  const width = Math.max(...rows.map((row) => row.length));
  const file = (name: string, text: string) => ({ name, data: Buffer.from(XML_HEAD + text, 'utf8') });
  return zip([
    file(
      '[Content_Types].xml',
      `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
        `<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
        `<Default Extension="xml" ContentType="application/xml"/>` +
        `<Override PartName="/xl/workbook.xml" ContentType="${CT}.sheet.main+xml"/>` +
        `<Override PartName="/xl/worksheets/sheet1.xml" ContentType="${CT}.worksheet+xml"/>` +
        `<Override PartName="/xl/sharedStrings.xml" ContentType="${CT}.sharedStrings+xml"/>` +
        `<Override PartName="/xl/styles.xml" ContentType="${CT}.styles+xml"/>` +
        `</Types>`,
    ),
    file(
      '_rels/.rels',
      `<Relationships xmlns="${PKG_REL_NS}"><Relationship Id="rId1" ` +
        `Type="${REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    ),
    file(
      'xl/workbook.xml',
      `<workbook xmlns="${MAIN_NS}" xmlns:r="${REL_NS}"><sheets>` +
        `<sheet name="${xmlEscape(sheetName)}" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    ),
    file(
      'xl/_rels/workbook.xml.rels',
      `<Relationships xmlns="${PKG_REL_NS}">` +
        `<Relationship Id="rId1" Type="${REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>` +
        `<Relationship Id="rId2" Type="${REL_NS}/sharedStrings" Target="sharedStrings.xml"/>` +
        `<Relationship Id="rId3" Type="${REL_NS}/styles" Target="styles.xml"/>` +
        `</Relationships>`,
    ),
    file(
      'xl/worksheets/sheet1.xml',
      `<worksheet xmlns="${MAIN_NS}"><dimension ref="A1:${column(width - 1)}${rows.length}"/>` +
        `<sheetData>${sheetRows}</sheetData></worksheet>`,
    ),
    file(
      'xl/sharedStrings.xml',
      `<sst xmlns="${MAIN_NS}" count="${stringCount}" uniqueCount="${strings.length}">` +
        strings.map((s) => `<si><t xml:space="preserve">${xmlEscape(s)}</t></si>`).join('') +
        `</sst>`,
    ),
    file(
      'xl/styles.xml',
      `<styleSheet xmlns="${MAIN_NS}">` +
        `<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>` +
        `<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>` +
        `<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>` +
        `<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>` +
        `<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>` +
        `<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>` +
        `</styleSheet>`,
    ),
  ]);
}

// ---------------------------------------------------------------------------------------------------------
// PDF: one or more pages of Helvetica text (WinAnsi, extractable), cross-reference table with exact offsets.

export interface PdfDocument {
  readonly title: string;
  /** Paragraphs; `# ` starts a heading. Wrapped at about 90 characters. */
  readonly paragraphs: readonly string[];
}

const pdfString = (text: string): string =>
  `(${text.replaceAll('\\', '\\\\').replaceAll('(', '\\(').replaceAll(')', '\\)')})`;

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/** A text PDF 1.4 (US Letter) with the standard Helvetica fonts: no embedded fonts, no compression. */
export function buildPdf(doc: PdfDocument): Buffer {
  for (const text of [doc.title, ...doc.paragraphs])
    if (!/^[\x20-\x7e]*$/.test(text)) throw new Error(`PDF text must be printable ASCII: ${text}`);
  // Layout: lines of [font, size, text, gap before]; a new page when the current one is full.
  const items: { bold: boolean; size: number; text: string; gap: number }[] = [
    { bold: true, size: 16, text: doc.title, gap: 0 },
  ];
  for (const paragraph of doc.paragraphs) {
    const heading = paragraph.startsWith('# ');
    wrap(heading ? paragraph.slice(2) : paragraph, 92).forEach((text, i) => {
      items.push({ bold: heading, size: heading ? 12 : 10, text, gap: i === 0 ? (heading ? 14 : 6) : 0 });
    });
  }
  const pages: string[][] = [[]];
  let y = 720;
  for (const item of items) {
    const step = item.size + 4 + item.gap;
    if (y - step < 72) {
      pages.push([]);
      y = 720;
    } else if (item !== items[0]) y -= step;
    pages[pages.length - 1]?.push(
      `BT /${item.bold ? 'F2' : 'F1'} ${item.size} Tf 72 ${y} Td ${pdfString(item.text)} Tj ET`,
    );
  }

  // Objects: 1 catalog, 2 pages, 3 Helvetica, 4 Helvetica-Bold, 5 info, then a page and its content per page.
  const pageIds = pages.map((_, i) => 6 + i * 2);
  const objects: string[] = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(' ')}] /Count ${pages.length} >>`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>',
    `<< /Title ${pdfString(doc.title)} /Producer (KASS knowledge/make-samples.ts) /CreationDate (D:20250101000000Z) >>`,
  ];
  pages.forEach((lines, i) => {
    const content = `${lines.join('\n')}\n`;
    objects.push(
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> ` +
        `/Contents ${(pageIds[i] as number) + 1} 0 R >>`,
      `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}endstream`,
    );
  });
  return serializePdf(objects);
}

/**
 * A PDF 1.4 file of numbered objects (object 1 the catalog, object 5 the info dictionary), with a cross-reference
 * table of exact byte offsets. Objects are latin1 text; binary stream data passes through as latin1 bytes.
 */
function serializePdf(objects: readonly string[]): Buffer {
  let body = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  objects.forEach((object, i) => {
    offsets.push(Buffer.byteLength(body, 'latin1'));
    body += `${i + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xrefAt = Buffer.byteLength(body, 'latin1');
  body +=
    `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n` +
    offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('') +
    `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info 5 0 R >>\nstartxref\n${xrefAt}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

// ---------------------------------------------------------------------------------------------------------
// A PDF with a table page and a scanned page: what the default parser reads poorly (table cells come out
// column by column, as many layout tools write them) or not at all (a scan has no text, only pixels), and
// what foundation-model or Data Automation parsing reads.

export interface TablePdf {
  readonly title: string;
  /** Paragraphs above the table. */
  readonly intro: readonly string[];
  /** The first row is the header. */
  readonly table: readonly (readonly string[])[];
  /** Column widths in points. */
  readonly columnWidths: readonly number[];
  readonly footnote: string;
  /** Lines of the scanned page (upper case, the glyphs of {@link GLYPHS}). */
  readonly scan: readonly string[];
}

/** 5×7 bitmap glyphs (rows top to bottom, bit 4 = leftmost column), enough for a typed memo. */
export const GLYPHS: Readonly<Record<string, readonly number[]>> = {
  A: [0x0e, 0x11, 0x11, 0x11, 0x1f, 0x11, 0x11],
  B: [0x1e, 0x11, 0x11, 0x1e, 0x11, 0x11, 0x1e],
  C: [0x0e, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0e],
  D: [0x1c, 0x12, 0x11, 0x11, 0x11, 0x12, 0x1c],
  E: [0x1f, 0x10, 0x10, 0x1e, 0x10, 0x10, 0x1f],
  F: [0x1f, 0x10, 0x10, 0x1e, 0x10, 0x10, 0x10],
  G: [0x0e, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0f],
  H: [0x11, 0x11, 0x11, 0x1f, 0x11, 0x11, 0x11],
  I: [0x0e, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0e],
  J: [0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0c],
  K: [0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11],
  L: [0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1f],
  M: [0x11, 0x1b, 0x15, 0x15, 0x11, 0x11, 0x11],
  N: [0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11],
  O: [0x0e, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0e],
  P: [0x1e, 0x11, 0x11, 0x1e, 0x10, 0x10, 0x10],
  Q: [0x0e, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0d],
  R: [0x1e, 0x11, 0x11, 0x1e, 0x14, 0x12, 0x11],
  S: [0x0f, 0x10, 0x10, 0x0e, 0x01, 0x01, 0x1e],
  T: [0x1f, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04],
  U: [0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0e],
  V: [0x11, 0x11, 0x11, 0x11, 0x11, 0x0a, 0x04],
  W: [0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0a],
  X: [0x11, 0x11, 0x0a, 0x04, 0x0a, 0x11, 0x11],
  Y: [0x11, 0x11, 0x11, 0x0a, 0x04, 0x04, 0x04],
  Z: [0x1f, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1f],
  '0': [0x0e, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0e],
  '1': [0x04, 0x0c, 0x04, 0x04, 0x04, 0x04, 0x0e],
  '2': [0x0e, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1f],
  '3': [0x1f, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0e],
  '4': [0x02, 0x06, 0x0a, 0x12, 0x1f, 0x02, 0x02],
  '5': [0x1f, 0x10, 0x1e, 0x01, 0x01, 0x11, 0x0e],
  '6': [0x06, 0x08, 0x10, 0x1e, 0x11, 0x11, 0x0e],
  '7': [0x1f, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08],
  '8': [0x0e, 0x11, 0x11, 0x0e, 0x11, 0x11, 0x0e],
  '9': [0x0e, 0x11, 0x11, 0x0f, 0x01, 0x02, 0x0c],
  ' ': [0, 0, 0, 0, 0, 0, 0],
  '.': [0, 0, 0, 0, 0, 0x0c, 0x0c],
  ',': [0, 0, 0, 0, 0x0c, 0x04, 0x08],
  ':': [0, 0x0c, 0x0c, 0, 0x0c, 0x0c, 0],
  '-': [0, 0, 0, 0x1f, 0, 0, 0],
  '/': [0, 0x01, 0x02, 0x04, 0x08, 0x10, 0],
  '(': [0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02],
  ')': [0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08],
  '+': [0, 0x04, 0x04, 0x1f, 0x04, 0x04, 0],
};

/** A grey page image (8 bits per pixel, row-major) of typed lines, with the speckle of a photocopy. */
export interface GreyImage {
  readonly width: number;
  readonly height: number;
  readonly pixels: Buffer;
}

/** Renders `lines` like a scan at 100 dpi of a US Letter page: dark grey glyphs, off-white paper, speckles. */
export function renderScan(lines: readonly string[]): GreyImage {
  const width = 850;
  const height = 1100;
  const scale = 3;
  const advance = 6 * scale;
  const lineHeight = 12 * scale;
  const pixels = Buffer.alloc(width * height, 0xf2);
  // Deterministic noise (a linear congruential generator), so the file is the same on every run.
  let seed = 20250314;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  for (let i = 0; i < 2500; i++)
    pixels[Math.floor(random() * width * height)] = 0x90 + Math.floor(random() * 0x40);
  lines.forEach((line, row) => {
    if (line.length * advance > width - 120) throw new Error(`scan line too long for the page: ${line}`);
    [...line].forEach((ch, col) => {
      const glyph = GLYPHS[ch];
      if (!glyph)
        throw new Error(`no glyph for "${ch}" in the scanned text (use upper case, digits, .,:-/()+)`);
      const x0 = 60 + col * advance;
      const y0 = 90 + row * lineHeight;
      glyph.forEach((bits, gy) => {
        for (let gx = 0; gx < 5; gx++) {
          if (!(bits & (0x10 >> gx))) continue;
          for (let dy = 0; dy < scale; dy++)
            for (let dx = 0; dx < scale; dx++)
              pixels[(y0 + gy * scale + dy) * width + x0 + gx * scale + dx] = 0x2a;
        }
      });
    });
  });
  return { width, height, pixels };
}

/** A two-page PDF: a ruled table with its cells written column by column, then a page that is only an image. */
export function buildTableAndScanPdf(doc: TablePdf): Buffer {
  for (const text of [doc.title, doc.footnote, ...doc.intro, ...doc.table.flat()])
    if (!/^[\x20-\x7e]*$/.test(text)) throw new Error(`PDF text must be printable ASCII: ${text}`);
  const text = (bold: boolean, size: number, x: number, y: number, t: string) =>
    `BT /${bold ? 'F2' : 'F1'} ${size} Tf ${x} ${y} Td ${pdfString(t)} Tj ET`;
  const ops: string[] = [text(true, 16, 72, 720, doc.title)];
  let y = 694;
  for (const paragraph of doc.intro) {
    for (const line of wrap(paragraph, 92)) {
      ops.push(text(false, 10, 72, y, line));
      y -= 14;
    }
    y -= 6;
  }
  const rowHeight = 20;
  const top = y;
  const totalWidth = doc.columnWidths.reduce((a, b) => a + b, 0);
  const xs = [72];
  for (const w of doc.columnWidths) xs.push((xs.at(-1) ?? 72) + w);
  // Grid: horizontal rules, then vertical rules.
  ops.push('0.5 w');
  for (let r = 0; r <= doc.table.length; r++)
    ops.push(`72 ${top - r * rowHeight} m ${72 + totalWidth} ${top - r * rowHeight} l S`);
  for (const x of xs) ops.push(`${x} ${top} m ${x} ${top - doc.table.length * rowHeight} l S`);
  // Cells, one column after the other.
  doc.columnWidths.forEach((_, c) => {
    doc.table.forEach((row, r) => {
      ops.push(text(r === 0, 9, (xs[c] ?? 72) + 4, top - r * rowHeight - 14, row[c] ?? ''));
    });
  });
  ops.push(text(false, 8, 72, top - doc.table.length * rowHeight - 18, doc.footnote));
  const tableContent = `${ops.join('\n')}\n`;

  const scan = renderScan(doc.scan);
  const image = deflateSync(scan.pixels, { level: 9 });
  const scanContent = 'q 612 0 0 792 0 0 cm /Im1 Do Q\n';
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [6 0 R 8 0 R] /Count 2 >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>',
    `<< /Title ${pdfString(doc.title)} /Producer (KASS knowledge/make-samples.ts) /CreationDate (D:20250101000000Z) >>`,
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents 7 0 R >>',
    `<< /Length ${Buffer.byteLength(tableContent, 'latin1')} >>\nstream\n${tableContent}endstream`,
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /XObject << /Im1 10 0 R >> >> /Contents 9 0 R >>',
    `<< /Length ${Buffer.byteLength(scanContent, 'latin1')} >>\nstream\n${scanContent}endstream`,
    `<< /Type /XObject /Subtype /Image /Width ${scan.width} /Height ${scan.height} /ColorSpace /DeviceGray ` +
      `/BitsPerComponent 8 /Filter /FlateDecode /Length ${image.length} >>\nstream\n${image.toString('latin1')}\nendstream`,
  ];
  return serializePdf(objects);
}

// ---------------------------------------------------------------------------------------------------------
// The samples.

export const INCIDENT_ESCALATION: PdfDocument = {
  title: 'KASS Incident Escalation Procedure',
  paragraphs: [
    'Owner: SRE team. Applies to every production service listed in the KASS service catalogue. Review yearly.',
    '# 1. Severity levels',
    'SEV1: a customer-facing service is down or data is at risk. Page the primary on-call engineer at once and open an incident channel named inc-<date>-<service>.',
    'SEV2: a service is degraded (error rate above its SLO budget for 15 minutes, or latency p95 twice the target). Page the primary on-call engineer within 15 minutes.',
    'SEV3: a single internal user or a non-critical job is affected. Open a ticket in the Operations queue; no page.',
    '# 2. Escalation path',
    'Step 1: the primary on-call engineer acknowledges the page within 5 minutes (SEV1) or 15 minutes (SEV2).',
    'Step 2: no acknowledgement, or no mitigation within 30 minutes: page the secondary on-call engineer.',
    'Step 3: SEV1 still open after 60 minutes: call the incident manager of the week (see the on-call rota) who informs the head of engineering.',
    'Step 4: security incidents (leaked credentials, suspicious VPN logins) go to the security team at once, whatever the severity.',
    '# 3. Communication',
    'Post a status update in the incident channel every 30 minutes for SEV1 and every hour for SEV2. The incident manager owns the status page.',
    '# 4. After the incident',
    'Write a blameless post-incident review within 5 working days for every SEV1 and SEV2, with a timeline, the root cause and follow-up tickets.',
  ],
};

export const ON_CALL_ROTA: readonly (readonly Cell[])[] = [
  ['Week starting', 'Primary on-call', 'Secondary on-call', 'Incident manager', 'Team', 'Escalation phone'],
  ['2025-01-06', 'a.martin', 'j.okafor', 'l.chen', 'sre', '+1 555 0100'],
  ['2025-01-13', 'j.okafor', 'r.silva', 'l.chen', 'sre', '+1 555 0100'],
  ['2025-01-20', 'r.silva', 'm.novak', 'p.haddad', 'sre', '+1 555 0100'],
  ['2025-01-27', 'm.novak', 'a.martin', 'p.haddad', 'sre', '+1 555 0100'],
  ['2025-02-03', 'k.tanaka', 's.ibrahim', 'l.chen', 'it-ops', '+1 555 0142'],
  ['2025-02-10', 's.ibrahim', 'k.tanaka', 'p.haddad', 'it-ops', '+1 555 0142'],
];

export const MAINTENANCE_WINDOWS: TablePdf = {
  title: 'KASS Maintenance Windows 2025',
  intro: [
    'Owner: platform team. Planned changes to a production service happen inside its weekly maintenance window, ' +
      'approved by the approver listed below. No planned change during a change freeze; emergency fixes follow ' +
      'the incident escalation procedure.',
  ],
  columnWidths: [110, 85, 70, 105, 98],
  table: [
    ['Service', 'Window (UTC)', 'Day', 'Approver', 'Change freeze'],
    ['kass-chat-api', '03:00-03:30', 'Tuesday', 'platform lead', '15 Dec - 2 Jan'],
    ['kass-ingest', '03:30-04:30', 'Tuesday', 'platform lead', 'none'],
    ['vpn-gateway', '05:00-06:00', 'Sunday', 'it-ops lead', '20 Dec - 2 Jan'],
    ['identity-sso', '06:00-06:30', 'Saturday', 'security officer', '1 Dec - 6 Jan'],
    ['gitlab', '22:00-23:00', 'Thursday', 'platform lead', 'none'],
    ['metrics-dashboards', 'any time', 'any day', 'sre on-call', 'none'],
  ],
  footnote: 'Windows move one hour earlier while daylight saving time is in effect in Europe.',
  scan: [
    'KASS FACILITIES MEMO FM-2025-07',
    'DATE: 2025-03-14',
    'SUBJECT: FRA-2 DATA CENTER ACCESS',
    '',
    'EVERY VISIT TO THE FRANKFURT DATA',
    'CENTER (FRA-2) NEEDS A FACILITIES',
    'TICKET APPROVED AT LEAST 48 HOURS',
    'BEFORE THE VISIT.',
    '',
    'BRING PHOTO ID. AN ESCORT IS REQUIRED:',
    'THE PLATFORM ON-CALL ENGINEER OR',
    'FACILITIES STAFF.',
    '',
    'EMERGENCY ACCESS OUTSIDE BUSINESS HOURS:',
    'SECURITY DESK, +49 69 5550 1400.',
    '',
    'CAGE KEYS ARE SIGNED OUT AT THE SECURITY',
    'DESK AND RETURNED THE SAME DAY.',
    '',
    'SIGNED: M. NOVAK, FACILITIES',
  ],
};

/** Writes the generated samples into `root` (the documents folder). */
export function writeSamples(root: string): string[] {
  const files = [
    { rel: 'pdf/incident-escalation.pdf', data: buildPdf(INCIDENT_ESCALATION) },
    { rel: 'pdf/maintenance-windows.pdf', data: buildTableAndScanPdf(MAINTENANCE_WINDOWS) },
    { rel: 'excel/on-call-rota-2025.xlsx', data: buildXlsx('On-call rota', ON_CALL_ROTA) },
  ];
  for (const { rel, data } of files) writeFileSync(path.join(root, rel), data);
  return files.map((f) => f.rel);
}

if (require.main === module) {
  const root = path.join(__dirname, 'documents');
  for (const rel of writeSamples(root)) console.log(`wrote ${path.join('knowledge/documents', rel)}`);
}
