import { describe, expect, it } from 'vitest';
import { UNSTORABLE_MESSAGE } from './events.js';
import { INJECTION_STRINGS, UNSTORABLE_STRINGS } from '../testing/hostile-input.js';
import { validateEvent } from './validate.js';

/**
 * Every field of the contract is bounded, so one event cannot grow a Kafka
 * message, a Postgres row or a Redis hash without limit (the HTTP body limit
 * bounds a request, not what one event may hold).
 */
const T = 1772366400000;
const click = { event_id: 'e', type: 'click', user_id: 'u', item_id: 'i', event_time: T };
const item = { event_id: 'e', type: 'item', item_id: 'i', event_time: T };
const user = { event_id: 'e', type: 'user', user_id: 'u', event_time: T };
const long = (n: number) => 'x'.repeat(n);
const keys = (n: number, value: unknown) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, value]));

const oversized: [string, Record<string, unknown>, string][] = [
  ['event_id', { ...click, event_id: long(129) }, 'event_id: must be at most 128 characters'],
  ['user_id', { ...click, user_id: long(129) }, 'user_id: must be at most 128 characters'],
  ['item_id', { ...click, item_id: long(129) }, 'item_id: must be at most 128 characters'],
  ['request_id', { ...click, request_id: long(129) }, 'request_id: must be at most 128 characters'],
  ['experiment', { ...click, experiment: long(65) }, 'experiment: must be at most 64 characters'],
  ['variant', { ...click, experiment: 'x', variant: long(65) }, 'variant: must be at most 64 characters'],
  ['context.surface', { ...click, context: { surface: long(65) } }, 'context.surface: must be at most 64 characters'],
  ['context.page', { ...click, context: { page: long(65) } }, 'context.page: must be at most 64 characters'],
  ['context.locale', { ...click, context: { locale: long(36) } }, 'context.locale: Too big: expected string to have <=35 characters'],
  ['a custom context value', { ...click, context: { campaign: long(257) } }, 'context.campaign: Too big: expected string to have <=256 characters'],
  ['a custom context key', { ...click, context: { [long(65)]: 1 } }, 'context: keys must be at most 64 characters'],
  ['the context keys', { ...click, context: keys(33, 1) }, 'context: must have at most 32 keys'],
  ['categories', { ...item, categories: Array(17).fill('c') }, 'categories: Too big: expected array to have <=16 items'],
  ['a category', { ...item, categories: [long(65)] }, 'categories.0: must be at most 64 characters'],
  ['tags', { ...item, tags: Array(65).fill('t') }, 'tags: Too big: expected array to have <=64 items'],
  ['an attribute key', { ...user, attributes: { [long(65)]: 1 } }, 'attributes: keys must be at most 64 characters'],
  ['an attribute value', { ...user, attributes: { country: long(257) } }, 'attributes.country: Too big: expected string to have <=256 characters'],
  ['the attribute keys', { ...user, attributes: keys(65, 1) }, 'attributes: must have at most 64 keys'],
  ['dwell_ms', { ...click, type: 'view', dwell_ms: 86_400_001 }, 'dwell_ms: Too big: expected number to be <=86400000'],
  ['rating', { ...click, type: 'rating', rating: 11 }, 'rating: Too big: expected number to be <=10'],
];

describe('event contract bounds', () => {
  it.each(oversized)('rejects an oversized %s, naming it', (_field, input, reason) => {
    expect(validateEvent(input)).toEqual({ ok: false, reasons: [reason] });
  });

  it('accepts every field at its limit', () => {
    const atLimit = { ...click, event_id: long(128), user_id: long(128), item_id: long(128), request_id: long(128), experiment: long(64), variant: long(64) };
    expect(validateEvent({ ...atLimit, context: { surface: long(64), page: long(64), locale: long(35), ...keys(29, long(256)) } }).ok).toBe(true);
    expect(validateEvent({ ...item, categories: Array(16).fill(long(64)), tags: Array(64).fill(long(64)) }).ok).toBe(true);
    expect(validateEvent({ ...user, attributes: keys(64, long(256)) }).ok).toBe(true);
  });
});

describe('strings Postgres cannot store', () => {
  const fields: [string, (s: string) => Record<string, unknown>, string][] = [
    ['user_id', (s) => ({ ...click, user_id: s }), 'user_id'],
    ['request_id', (s) => ({ ...click, request_id: s }), 'request_id'],
    ['context.surface', (s) => ({ ...click, context: { surface: s } }), 'context.surface'],
    ['context.locale', (s) => ({ ...click, context: { locale: s } }), 'context.locale'],
    ['a custom context value', (s) => ({ ...click, context: { campaign: s } }), 'context.campaign'],
    ['a custom context key', (s) => ({ ...click, context: { [s]: 1 } }), 'context'],
    ['a category', (s) => ({ ...item, categories: [s] }), 'categories.0'],
    ['an attribute key', (s) => ({ ...user, attributes: { [s]: 1 } }), 'attributes'],
    ['an attribute value', (s) => ({ ...user, attributes: { country: s } }), 'attributes.country'],
  ];

  it.each(fields)('rejects U+0000 and unpaired surrogates in %s, naming it', (_name, build, field) => {
    for (const s of UNSTORABLE_STRINGS) {
      const result = validateEvent(build(s));
      expect(result.ok, JSON.stringify(s)).toBe(false);
      if (!result.ok) expect(result.reasons).toEqual([expect.stringMatching(`^${field}: `)]);
      if (!result.ok) expect(result.reasons[0]).toContain(UNSTORABLE_MESSAGE);
    }
  });

  it.each(fields)('accepts injection attempts and unusual but valid Unicode in %s', (name, build) => {
    // Locales hold 35 characters at most; the other fields fit every string.
    const fitting = INJECTION_STRINGS.filter((s) => name !== 'context.locale' || s.length <= 35);
    for (const s of fitting) expect(validateEvent(build(s)).ok, JSON.stringify(s)).toBe(true);
  });
});

describe('rejection reasons', () => {
  it('stay short however many and however long the bad fields are', () => {
    const context = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`${'k'.repeat(10_000)}${i}`, { nested: true }]));
    const result = validateEvent({ ...click, context, ['x'.repeat(100_000)]: 1 });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reasons).toHaveLength(21);
    expect(result.reasons.at(-1)).toMatch(/^event: \d+ more problems not listed$/);
    for (const reason of result.reasons) expect(reason.length).toBeLessThan(300);
  });
});
