import { describe, expect, it } from 'vitest';
import type { InteractionEvent } from '@recstream/schemas';
import { CopyLines, copyField, copyJson, eventLogLine, historyLine, isoTime } from './copy.js';

/** COPY's text format read back, as Postgres reads it: tab-separated fields, `\N` for null, backslash escapes. */
function parseLine(line: string): (string | null)[] {
  expect(line.endsWith('\n')).toBe(true);
  return line
    .slice(0, -1)
    .split('\t')
    .map((field) => (field === '\\N' ? null : field.replace(/\\(.)/g, (_, c: string) => ({ t: '\t', n: '\n', r: '\r' })[c] ?? c)));
}

describe('COPY text format', () => {
  it('escapes backslash, tab, newline and carriage return, and writes null as \\N', () => {
    expect(copyField('a\tb\nc\rd\\e')).toBe('a\\tb\\nc\\rd\\\\e');
    expect(copyField('plain')).toBe('plain');
    expect(copyField(undefined)).toBe('\\N');
  });

  it('doubles the backslashes of JSON, which holds no raw control characters', () => {
    expect(copyJson({ s: 'tab\there "q" \\ end' })).toBe(String.raw`{"s":"tab\\there \\"q\\" \\\\ end"}`);
  });

  it('writes an event whose strings hold separators so that it reads back field for field', () => {
    const event: InteractionEvent = {
      schema_version: 1,
      event_id: 'id\twith\ttabs',
      type: 'click',
      user_id: 'user\nline',
      item_id: 'item\\slash',
      event_time: Date.UTC(2001, 0, 2, 3, 4, 5, 6),
      request_id: 'r1',
      context: { surface: 'home\t1' },
      dwell_ms: 1_200,
    };
    const fields = parseLine(eventLogLine(event));
    expect(fields).toEqual(['2001-01-02T03:04:05.006Z', event.event_id, 'click', event.user_id, event.item_id, 'r1', null, null, JSON.stringify(event.context), '{"schema_version":1,"dwell_ms":1200}']);
  });

  it('writes a history row as view, entity, time and values', () => {
    const fields = parseLine(historyLine({ view: 'item_stats', entityId: 'i\t9', eventTime: 1_000, values: { trend: 1.5 } }));
    expect(fields).toEqual(['item_stats', 'i\t9', '1970-01-01T00:00:01.000Z', '{"trend":1.5}']);
  });

  it('gathers lines as UTF-8, growing past its first buffer, and starts again after each take', () => {
    const lines = new CopyLines(8);
    const text = ['a\tb\n', 'é€\t😀\n', `${'x'.repeat(20)}\n`];
    for (const line of text) lines.add(line);
    expect(lines.take().toString('utf8')).toBe(text.join(''));
    lines.add('next\n');
    expect(lines.take().toString('utf8')).toBe('next\n');
    expect(lines.take()).toHaveLength(0);
  });

  it('writes times as toISOString does, at the edges of days, months and leap years and at random', () => {
    const edges = [0, 1, 999, Date.UTC(1990, 0, 1), Date.UTC(2000, 1, 29, 23, 59, 59, 999), Date.UTC(2000, 2, 1), Date.UTC(2100, 1, 28, 12), Date.UTC(2024, 11, 31, 23, 59, 59, 999)];
    const random = Array.from({ length: 10_000 }, (_, i) => Math.floor(((i * 7_919) % 10_000) * 411_234_567.891 + (i % 1000)));
    for (const ms of [...edges, ...edges.map((ms) => ms - 1), ...random, -86_400_001, Date.UTC(12_000, 0, 1)]) expect(isoTime(ms), String(ms)).toBe(new Date(ms).toISOString());
  });
});
