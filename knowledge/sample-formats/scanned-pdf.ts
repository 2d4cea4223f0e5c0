import { deflateSync } from 'node:zlib';
import { pdfString, serializePdf, wrap } from './pdf';

/**
 * A PDF with a table page and a scanned page: what the default parser reads poorly (table cells come out
 * column by column, as many layout tools write them) or not at all (a scan has no text, only pixels), and
 * what foundation-model or Data Automation parsing reads.
 */

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
