import { writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Generates the binary samples of the corpus (a PDF and an XLSX) without any dependency, byte for byte the
 * same on every run (fixed dates), so regenerating them never makes `kass sync` upload anything:
 *
 *   npx tsx knowledge/make-samples.ts
 *
 * The text documents and all `.metadata.json` sidecars are written by hand and committed as they are.
 */

import { buildPdf, type PdfDocument } from './sample-formats/pdf';
import { buildTableAndScanPdf, type TablePdf } from './sample-formats/scanned-pdf';
import { buildXlsx, type Cell } from './sample-formats/xlsx';

export { buildPdf, type PdfDocument } from './sample-formats/pdf';
export {
  buildTableAndScanPdf,
  GLYPHS,
  type GreyImage,
  renderScan,
  type TablePdf,
} from './sample-formats/scanned-pdf';
export { buildXlsx, type Cell } from './sample-formats/xlsx';
export { crc32, zip } from './sample-formats/zip';

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
