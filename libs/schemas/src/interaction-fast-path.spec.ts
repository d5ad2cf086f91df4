import { describe, expect, it } from 'vitest';
import { mulberry32 } from '@recstream/platform';
import valid from '../fixtures/v1/valid.json' with { type: 'json' };
import invalid from '../fixtures/v1/invalid.json' with { type: 'json' };
import { Context, INTERACTION_TYPES, InteractionEvent } from './events.js';
import { INJECTION_STRINGS, UNSTORABLE_STRINGS, hostileValue, mutateEvent } from '../testing/hostile-input.js';
import { CONTEXT_FIELDS, INTERACTION_FIELDS, acceptInteraction } from './interaction-fast-path.js';
import { validateEvent } from './validate.js';

/**
 * The fast path must agree with the zod schema on every input it sees: it
 * may only accept what the schema accepts, with the very same output (values
 * and key order, so the same bytes on Kafka), and on JSON input it must
 * accept all of it, or it saves nothing.
 */
const T = 1_772_366_400_000;
const click = { event_id: 'e', type: 'click', user_id: 'u', item_id: 'i', event_time: T };
const full = {
  schema_version: 1,
  event_id: 'e-full',
  type: 'rating',
  user_id: 'u1',
  item_id: 'i1',
  event_time: T,
  context: { surface: 'home', page: 'p', position: 7, device: 'tv', locale: 'en-GB', weather: 'rain', score: 0.5, fresh: true },
  request_id: 'r1',
  experiment: 'ranker',
  variant: 'B',
  dwell_ms: 1_200,
  rating: 4.5,
  value: 12.25,
};
const bases: Record<string, unknown>[] = [
  click,
  full,
  ...valid.map((fixture) => fixture.input).filter((input) => (INTERACTION_TYPES as readonly string[]).includes(input.type)),
];

/** The same input as the ingester sees it: through JSON, so lone surrogates and `__proto__` keys arrive as JSON.parse makes them. */
const overJson = (input: unknown): unknown => JSON.parse(JSON.stringify(input) ?? 'null');

/** What the fast path accepts, the schema accepts, with the same output; on JSON input it accepts all the schema does. */
function expectAgreement(input: unknown, label: string, json = true): void {
  const reference = InteractionEvent.safeParse(input);
  const fast = typeof input === 'object' && input !== null ? acceptInteraction(input) : undefined;
  if (fast === undefined) {
    if (json) expect(reference.success && !hasProtoKey(input), `${label}: the fast path declined a valid event ${JSON.stringify(input)}`).toBe(false);
    return;
  }
  expect(reference.success, `${label}: the fast path accepted ${JSON.stringify(input)}`).toBe(true);
  expect(fast, label).toStrictEqual(reference.data);
  expect(JSON.stringify(fast), label).toBe(JSON.stringify(reference.data));
}

/** Inputs zod reads differently from a plain assignment; the fast path leaves them to zod, at the cost of a slower check. */
const hasProtoKey = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && Object.entries(value).some(([key, inner]) => key === '__proto__' || hasProtoKey(inner));

describe('interaction fast path', () => {
  it('covers exactly the fields of the schema, in its order', () => {
    expect(INTERACTION_FIELDS).toEqual(Object.keys(InteractionEvent.shape));
    expect(CONTEXT_FIELDS).toEqual(Object.keys(Context.shape));
  });

  it('agrees with the schema on the golden fixtures', () => {
    for (const [index, fixture] of [...valid, ...invalid].entries()) expectAgreement(fixture.input, `fixture ${index}`);
  });

  it('agrees with the schema on 30,000 hostile mutations of valid events', () => {
    const random = mulberry32(20_260_301);
    for (let i = 0; i < 30_000; i++) {
      const base = bases[i % bases.length]!;
      const once = mutateEvent(random, base);
      const input = i % 3 === 0 && typeof once === 'object' && once !== null && !Array.isArray(once) ? mutateEvent(random, once as Record<string, unknown>) : once;
      expectAgreement(overJson(input), `mutation ${i}`);
    }
  });

  it('agrees with the schema on hostile values in every field and context key', () => {
    const random = mulberry32(1_990);
    const strings = [...INJECTION_STRINGS, ...UNSTORABLE_STRINGS, '', 'x'.repeat(35), 'x'.repeat(36), 'x'.repeat(64), 'x'.repeat(65), 'x'.repeat(128), 'x'.repeat(129), 'x'.repeat(256), 'x'.repeat(257)];
    const numbers = [-1, -0, 0, 0.5, 1, 4.5, 10, 10.5, 10_000, 10_001, 86_400_000, 86_400_001, 2 ** 53 + 1, 1e308, T, T + 0.5, 631_151_999_999, 631_152_000_000, 4_102_444_799_999, 4_102_444_800_000];
    const others = [null, true, false, [], ['x'], {}, { nested: 1 }, '2026-03-01T12:00:00Z', '2026-03-01T12:00:00', '1985-01-01T00:00:00Z', 'mobile', 'rating', ...INTERACTION_TYPES];
    const values = [...strings, ...numbers, ...others, ...Array.from({ length: 200 }, () => hostileValue(random))];
    const fields = [...INTERACTION_FIELDS, 'unexpected_field', '__proto__', 'constructor', 'toString'];
    const contextKeys = [...CONTEXT_FIELDS, 'weather', '__proto__', 'constructor', 'hasOwnProperty', ...strings.filter((s) => s.length < 300)];
    for (const base of [click, full] as Record<string, unknown>[]) {
      for (const field of fields) for (const value of values) expectAgreement(overJson({ ...base, [field]: value }), `${field}=${JSON.stringify(value)}`);
      for (const key of contextKeys) {
        for (const value of values) expectAgreement(overJson({ ...base, context: { ...(base.context as object | undefined), [key]: value } }), `context.${key}=${JSON.stringify(value)}`);
      }
      for (const field of INTERACTION_FIELDS) {
        const without = { ...base };
        delete without[field];
        expectAgreement(without, `without ${field}`);
      }
    }
  });

  it('agrees with the schema on context key counts around the limit', () => {
    for (const count of [31, 32, 33]) {
      const context = Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${i}`, i]));
      expectAgreement({ ...click, context }, `${count} context keys`);
      expectAgreement({ ...click, context: { ...context, surface: 'home' } }, `${count} + 1 context keys`);
    }
  });

  it('leaves what JSON cannot send to the schema', () => {
    const inputs = [
      { ...click, rating: undefined },
      { ...click, context: { device: undefined } },
      { ...click, context: { campaign: undefined } },
      { ...click, value: Number.POSITIVE_INFINITY },
      { ...click, value: Number.NaN },
      { ...click, context: { score: Number.NEGATIVE_INFINITY } },
      Object.assign(Object.create(null) as object, click),
      { ...click, context: Object.assign(Object.create(null) as object, { surface: 'home' }) },
      new (class Event {
        event_id = 'e';
        type = 'click';
        user_id = 'u';
        item_id = 'i';
        event_time = T;
      })(),
    ];
    for (const [index, input] of inputs.entries()) {
      expect(acceptInteraction(input), `input ${index}`).toBeUndefined();
      expectAgreement(input, `input ${index}`, false);
    }
  });

  it('leaves validateEvent answering as the schema does', () => {
    const random = mulberry32(42);
    for (let i = 0; i < 3_000; i++) {
      const input = overJson(mutateEvent(random, bases[i % bases.length]!));
      const type = (input as { type?: unknown } | null)?.type;
      if (typeof type !== 'string' || !(INTERACTION_TYPES as readonly string[]).includes(type)) continue;
      const reference = InteractionEvent.safeParse(input);
      const result = validateEvent(input);
      expect(result.ok, `mutation ${i}`).toBe(reference.success);
      if (result.ok && reference.success) expect(result.event).toStrictEqual(reference.data);
    }
  });
});
