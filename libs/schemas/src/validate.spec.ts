import { describe, expect, it } from 'vitest';
import valid from '../fixtures/v1/valid.json' with { type: 'json' };
import invalid from '../fixtures/v1/invalid.json' with { type: 'json' };
import { validateEvent } from './validate.js';
import { routeEvent, TOPICS } from './topics.js';

describe('event contract v1 (golden fixtures)', () => {
  it.each(valid.map((fixture) => [fixture.input.event_id, fixture] as const))('accepts %s', (_id, fixture) => {
    expect(validateEvent(fixture.input)).toEqual({ ok: true, event: fixture.parsed });
  });

  it.each(invalid.map((fixture, index) => [index, fixture] as const))('rejects invalid fixture %i naming every bad field', (_i, fixture) => {
    const result = validateEvent(fixture.input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reasons).toEqual(fixture.reasons);
  });

  it('rejects ids longer than the limit', () => {
    const result = validateEvent({ event_id: 'x'.repeat(129), type: 'click', user_id: 'u', item_id: 'i', event_time: 1772366400000 });
    expect(result).toEqual({ ok: false, reasons: ['event_id: must be at most 128 characters'] });
  });
});

describe('routeEvent', () => {
  it('keys interactions and users by user, items by item', () => {
    const parse = (input: unknown) => {
      const result = validateEvent(input);
      if (!result.ok) throw new Error(result.reasons.join());
      return routeEvent(result.event);
    };
    expect(parse(valid[0]!.input)).toEqual({ topic: TOPICS.events.name, key: 'u1' });
    expect(parse(valid[3]!.input)).toEqual({ topic: TOPICS.items.name, key: 'i9' });
    expect(parse(valid[4]!.input)).toEqual({ topic: TOPICS.users.name, key: 'u1' });
  });
});
