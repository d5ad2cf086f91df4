import { describe, expect, it } from 'vitest';
import valid from '../fixtures/v1/valid.json' with { type: 'json' };
import invalid from '../fixtures/v1/invalid.json' with { type: 'json' };
import { MAX_EVENTS_PER_MESSAGE, validateEvent, validateMessage } from './validate.js';
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

describe('validateMessage', () => {
  const click = (n: number) => ({ event_id: `e${n}`, type: 'click', user_id: 'u', item_id: `i${n}`, event_time: 1772366400000 });

  it('takes one event, or an array of events, and returns them in order', () => {
    expect(validateMessage(click(1))).toMatchObject({ ok: true, events: [{ event_id: 'e1' }] });
    expect(validateMessage([click(1), click(2)])).toMatchObject({ ok: true, events: [{ event_id: 'e1' }, { event_id: 'e2' }] });
  });

  it('rejects the whole array when one event is invalid, naming it by index', () => {
    expect(validateMessage([click(1), { ...click(2), item_id: '' }])).toEqual({ ok: false, reasons: ['[1].item_id: must not be empty'] });
    expect(validateMessage(click(1)).ok).toBe(true);
  });

  it('rejects an empty or oversized array', () => {
    expect(validateMessage([])).toEqual({ ok: false, reasons: ['message: an array of events must not be empty'] });
    const tooMany = Array.from({ length: MAX_EVENTS_PER_MESSAGE + 1 }, (_, n) => click(n));
    expect(validateMessage(tooMany)).toEqual({ ok: false, reasons: [`message: at most ${MAX_EVENTS_PER_MESSAGE} events, got ${MAX_EVENTS_PER_MESSAGE + 1}`] });
    expect(validateMessage(tooMany.slice(1)).ok).toBe(true);
  });

  it('lists at most 20 reasons however many events are bad', () => {
    const result = validateMessage(Array.from({ length: 30 }, (_, n) => ({ ...click(n), user_id: '' })));
    expect(result.ok).toBe(false);
    if (!result.ok) expect([result.reasons.length, result.reasons.at(-1)]).toEqual([21, 'message: 10 more problems not listed']);
  });
});
