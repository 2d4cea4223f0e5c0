/**
 * PDF: one or more pages of Helvetica text (WinAnsi, extractable), cross-reference table with exact offsets.
 */

export interface PdfDocument {
  readonly title: string;
  /** Paragraphs; `# ` starts a heading. Wrapped at about 90 characters. */
  readonly paragraphs: readonly string[];
}

export const pdfString = (text: string): string =>
  `(${text.replaceAll('\\', '\\\\').replaceAll('(', '\\(').replaceAll(')', '\\)')})`;

export function wrap(text: string, width: number): string[] {
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
export function serializePdf(objects: readonly string[]): Buffer {
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
