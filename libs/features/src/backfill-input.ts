import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { BackfillRecord } from './backfill.js';

/**
 * Streams an NDJSON file of events (the ingester's batch format, one event
 * per line) as backfill records; a line that does not parse becomes a
 * record that says so, and blank lines are skipped.
 */
export async function* readNdjsonRecords(path: string): AsyncGenerator<BackfillRecord> {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber++;
    if (line.trim() === '') continue;
    let record: BackfillRecord;
    try {
      record = { ok: true, value: JSON.parse(line) as unknown };
    } catch (error) {
      record = { ok: false, reason: `line ${lineNumber}: invalid JSON (${(error as Error).message})`, raw: line };
    }
    yield record;
  }
}
