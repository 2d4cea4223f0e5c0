import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { SQSEvent, SQSRecord } from 'aws-lambda';

/**
 * Loads a real-format event from `tests/events/<eventsPath>/<filename>.json`. Each call returns a fresh
 * object, so a test can patch it freely.
 */
export function getTestEvent<T = Record<string, unknown>>({
  eventsPath,
  filename,
}: {
  eventsPath: string;
  filename: string;
}): T {
  const file = path.join(__dirname, '..', 'events', eventsPath, `${filename}.json`);
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

/** The SQS event `tests/events/sqs/<filename>.json` (a fresh copy). */
export const sqsTestEvent = (filename: string): SQSEvent =>
  getTestEvent<SQSEvent>({ eventsPath: 'sqs', filename });

/** The first record of the SQS event `tests/events/sqs/<filename>.json`. */
export function firstSqsRecord(filename: string): SQSRecord {
  const record = sqsTestEvent(filename).Records[0];
  if (!record) throw new Error(`${filename} has no record`);
  return record;
}
