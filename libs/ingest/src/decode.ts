import { HttpError } from '@recstream/platform';

/** One item of a request body: the decoded value, or why it could not be decoded. */
export type DecodedItem = { ok: true; value: unknown } | { ok: false; reason: string; raw: string };

const NDJSON_TYPES = new Set(['application/x-ndjson', 'application/ndjson', 'application/jsonl', 'application/x-jsonlines']);

export function isNdjson(contentType: string | undefined): boolean {
  return NDJSON_TYPES.has(mediaType(contentType));
}

function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

/**
 * Splits a batch body into items: a JSON array, or NDJSON with one event per
 * line (a line that does not parse is rejected on its own; the rest go on).
 */
export function decodeBatch(body: Buffer, contentType: string | undefined, maxEvents: number): DecodedItem[] {
  const type = mediaType(contentType);
  if (type === 'application/json') {
    const value = parseJson(body);
    if (!Array.isArray(value)) throw new HttpError(400, 'batch body must be a JSON array of events (or NDJSON)');
    checkCount(value.length, maxEvents);
    return value.map((item) => ({ ok: true, value: item }));
  }
  if (NDJSON_TYPES.has(type)) {
    const lines = body.toString('utf8').split('\n').filter((line) => line.trim() !== '');
    checkCount(lines.length, maxEvents);
    return lines.map((line, index) => {
      try {
        return { ok: true, value: JSON.parse(line) as unknown };
      } catch (error) {
        return { ok: false, reason: `line ${index + 1}: invalid JSON (${(error as Error).message})`, raw: line };
      }
    });
  }
  throw unsupported(contentType);
}

/** Decodes a single-event body, which must be one JSON object. */
export function decodeSingle(body: Buffer, contentType: string | undefined): unknown {
  if (mediaType(contentType) !== 'application/json') throw unsupported(contentType);
  return parseJson(body);
}

function parseJson(body: Buffer): unknown {
  if (body.length === 0) throw new HttpError(400, 'request body is empty');
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new HttpError(400, `request body is not valid JSON: ${(error as Error).message}`);
  }
}

function checkCount(count: number, max: number): void {
  if (count > max) throw new HttpError(413, `batch holds ${count} events; the limit is ${max}, split it`, { max_events: max });
}

const unsupported = (contentType: string | undefined) =>
  new HttpError(415, `unsupported content-type ${JSON.stringify(contentType ?? '')}; send application/json or application/x-ndjson`);
