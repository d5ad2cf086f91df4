import { describe, expect, it } from 'vitest';
import { HttpError } from '@recstream/platform';
import { parseRequestFactory } from './request.js';

const parse = parseRequestFactory({ defaultK: 20, maxK: 50 });

function fieldsOf(body: unknown): string[] {
  try {
    parse(body);
  } catch (error) {
    expect(error).toBeInstanceOf(HttpError);
    return ((error as HttpError).details.errors as { field: string }[]).map((e) => e.field);
  }
  throw new Error('expected the request to be rejected');
}

describe('parseRequest', () => {
  it('fills defaults', () => {
    const request = parse({ user_id: 'u1' });
    expect(request).toMatchObject({ user_id: 'u1', k: 20, context: {}, filters: { exclude_items: [] } });
    expect(request.time).toBeGreaterThan(0);
  });

  it('reads context.time as epoch ms or ISO-8601', () => {
    expect(parse({ user_id: 'u', context: { time: '2026-11-27T10:00:00Z' } }).time).toBe(Date.parse('2026-11-27T10:00:00Z'));
    expect(parse({ user_id: 'u', context: { time: 1_795_000_000_000 } }).time).toBe(1_795_000_000_000);
    expect(fieldsOf({ user_id: 'u', context: { time: 'yesterday' } })).toEqual(['context.time']);
  });

  it('names every bad field', () => {
    expect(fieldsOf({ k: 500, surprise: 1 })).toEqual(expect.arrayContaining(['user_id', 'k', '(body)']));
    expect(fieldsOf({ user_id: 'u', filters: { exclude_items: [3] } })).toEqual(['filters.exclude_items.0']);
    expect(fieldsOf(null)).toEqual(['(body)']);
  });

  it('bounds every field, so one request cannot ask for unbounded work', () => {
    const long = 'x'.repeat(129);
    expect(fieldsOf({ user_id: long })).toEqual(['user_id']);
    expect(fieldsOf({ user_id: 'u', filters: { exclude_items: Array(1_001).fill('i') } })).toEqual(['filters.exclude_items']);
    expect(fieldsOf({ user_id: 'u', filters: { categories: [long] } })).toEqual(['filters.categories.0']);
    expect(fieldsOf({ user_id: 'u', context: { surface: long } })).toEqual(['context.surface']);
    // Exposures carry these ids into Kafka and Postgres, which cannot store them.
    expect(fieldsOf({ user_id: 'u\u0000', filters: { exclude_items: ['\ud800'] } })).toEqual(['user_id', 'filters.exclude_items.0']);
  });
});
