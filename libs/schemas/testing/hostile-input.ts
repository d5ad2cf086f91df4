/**
 * Hostile input for tests: strings that break naive SQL, JSON or text
 * handling, and a seeded generator of malformed event bodies. Every
 * component that stores or forwards strings is tested with these (SQL
 * injection round trips, fuzzed HTTP bodies, poison Kafka messages).
 */
import { EARLIEST_EVENT_TIME_MS, LATEST_EVENT_TIME_MS } from '../src/events.js';
import { MAX_JSON_DEPTH } from '../src/json-depth.js';

/** Writes a hostile case's value as JSON text; JSON.stringify overflows the stack on the deep ones. */
export { jsonWithoutRecursion } from '../src/json-depth.js';

/**
 * Strings the platform must store and return verbatim: SQL injection
 * attempts, quoting and escaping characters, LIKE wildcards, placeholders,
 * and Unicode that is valid but unusual (RTL overrides, combining marks,
 * astral characters, zero-width characters, line separators).
 */
export const INJECTION_STRINGS: readonly string[] = [
  "'; DROP TABLE event_log; --",
  "' OR '1'='1",
  '" OR ""="',
  "1); DELETE FROM api_keys WHERE (1=1",
  "x' UNION SELECT secret_sha256::text FROM api_keys --",
  "$1 $2 :name ? %s %%",
  '100% _wild_ [a-z]* \\%',
  'back\\slash \\\\ \\x00 \\u0000 E\'\\n\'',
  "Robert'); DROP TABLE students;--",
  '/* comment */ -- line comment',
  "$$; DROP TABLE samples; $$",
  '{"user_id": "other", "$ne": null}',
  '\u202eevil.exe\u202c \u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627',
  'e\u0301\u0301\u0301 \u200b\u200d\ufeff zero-width',
  '\ud83d\ude00\ud83d\udc68\u200d\ud83d\udc69\u200d\ud83d\udc67 \ud834\udd1e',
  'line\r\nbreak\u2028\u2029tab\t',
  '\u0001\u0007\u001b[31m control \u007f',
];

/**
 * Strings Postgres text and jsonb cannot hold (U+0000, unpaired UTF-16
 * surrogates); the event contract must refuse them with a reason instead of
 * letting them fail a database write downstream.
 */
export const UNSTORABLE_STRINGS: readonly string[] = ['nul\u0000inside', '\u0000', 'lone high \ud800', 'lone low \udc00 here', 'reversed \udc00\ud800'];

type Random = () => number;

const pick = <T>(random: Random, values: readonly T[]): T => values[Math.floor(random() * values.length)]!;

/** Random bytes, for bodies that are not JSON (or not even UTF-8). */
export function randomBytes(random: Random, length: number): Buffer {
  return Buffer.from(Array.from({ length }, () => Math.floor(random() * 256)));
}

/** A string from the hostile sets, a very long one, or random code units (lone surrogates included). */
export function hostileString(random: Random): string {
  switch (Math.floor(random() * 5)) {
    case 0:
      return pick(random, INJECTION_STRINGS);
    case 1:
      return pick(random, UNSTORABLE_STRINGS);
    case 2:
      return 'x'.repeat(1 + Math.floor(random() * 100_000));
    case 3:
      return String.fromCharCode(...Array.from({ length: 1 + Math.floor(random() * 40) }, () => Math.floor(random() * 0x10000)));
    default:
      return '';
  }
}

/** A value of a random JSON type, nested up to `depth`: the wrong type for most fields. */
export function hostileValue(random: Random, depth = 2): unknown {
  const choice = Math.floor(random() * (depth > 0 ? 9 : 7));
  switch (choice) {
    case 0:
      return null;
    case 1:
      return random() < 0.5;
    case 2:
      return pick(random, [0, -1, 1e308, -1e308, 2 ** 53 + 1, 0.5, -0]);
    case 3:
    case 4:
    case 5:
      return hostileString(random);
    case 6:
      return Math.floor(random() * 4_000_000_000_000);
    case 7:
      return Array.from({ length: Math.floor(random() * 4) }, () => hostileValue(random, depth - 1));
    default:
      return Object.fromEntries(Array.from({ length: Math.floor(random() * 4) }, () => [hostileString(random).slice(0, 80), hostileValue(random, depth - 1)]));
  }
}

/**
 * A mutation of a valid event: one field (or a new one) set to a hostile
 * value, a field removed, or the whole thing replaced by a non-object.
 * `valid` is not modified.
 */
export function mutateEvent(random: Random, valid: Record<string, unknown>): unknown {
  const event: Record<string, unknown> = structuredClone(valid);
  const fields = [...Object.keys(event), 'unexpected_field', 'context'];
  switch (Math.floor(random() * 6)) {
    case 0:
      delete event[pick(random, Object.keys(event))];
      return event;
    case 1:
      return hostileValue(random, 1);
    case 2:
      event.context = { [hostileString(random).slice(0, 200)]: hostileValue(random, 0) };
      return event;
    default:
      event[pick(random, fields)] = hostileValue(random);
      return event;
  }
}

/**
 * Times before the contract's earliest (1990): the last millisecond of
 * 1989, the epoch, negative times, a time sent in epoch seconds instead of
 * milliseconds, and ISO strings of the same. Each must be refused.
 */
export const FAR_PAST_TIMES: readonly unknown[] = [
  EARLIEST_EVENT_TIME_MS - 1,
  '1989-12-31T23:59:59.999Z',
  0,
  -1,
  -Date.UTC(2026, 2, 1),
  Number.MIN_SAFE_INTEGER,
  -8.64e15,
  -1e308,
  // 2026-03-01 in epoch seconds: a client that sends seconds lands in 1970.
  Date.UTC(2026, 2, 1) / 1_000,
  '1970-01-01T00:00:00Z',
  '1969-12-31T23:59:59-01:00',
  '0001-01-01T00:00:00Z',
];

/**
 * Times past what the contract accepts for an input arriving at
 * `arrivedAt`: ten minutes past the allowed skew (as a number and as an
 * ISO string), the end of 2099, 2100 and after, the largest dates and
 * numbers, and a time sent in microseconds. Each must be refused.
 */
export function farFutureTimes(arrivedAt: number, maxFutureSkewMs: number): unknown[] {
  const pastSkew = arrivedAt + maxFutureSkewMs + 10 * 60_000;
  return [
    pastSkew,
    new Date(pastSkew).toISOString(),
    Date.UTC(2099, 11, 31),
    '2099-12-31T23:59:59.999Z',
    LATEST_EVENT_TIME_MS,
    LATEST_EVENT_TIME_MS + 1,
    '2100-01-01T00:00:00Z',
    '2150-06-01T12:00:00+14:00',
    8.64e15,
    Number.MAX_SAFE_INTEGER,
    1e308,
    arrivedAt * 1_000,
  ];
}

/**
 * Strings that look like numbers, for numeric fields (times, positions,
 * ratings): the contract wants numbers there, never their text.
 */
export const NUMERIC_STRINGS: readonly string[] = ['0', '-0', '42', ' 42 ', '1e3', '1e308', 'NaN', 'Infinity', '-Infinity', '0x1F', '1_000', '\u0661\u0662\u0663', '9007199254740993', ''];

/** A string of 2^20 UTF-16 code units (1 MiB of them): ASCII, or astral characters (4 bytes each in UTF-8). */
export function megabyteString(random: Random): string {
  return random() < 0.5 ? 'x'.repeat(2 ** 20) : '\ud83d\ude00'.repeat(2 ** 19);
}

/** `leaf` wrapped in `levels` arrays or objects (built without recursion, so any depth is safe). */
export function deeplyNested(levels: number, kind: 'array' | 'object', leaf: unknown = null): unknown {
  let value = leaf;
  for (let i = 0; i < levels; i++) value = kind === 'array' ? [value] : { a: value };
  return value;
}

/** Depths past MAX_JSON_DEPTH: just past it, far past it, and far past where recursive walks overflow the stack. */
export const HOSTILE_DEPTHS: readonly number[] = [MAX_JSON_DEPTH + 1, 200, 10_000];

/** An array of `length` elements made by `element(i)`. */
export function hugeArray<T>(length: number, element: (i: number) => T): T[] {
  return Array.from({ length }, (_, i) => element(i));
}

/** One input the contract must refuse, with what kind of hostility it carries. */
export interface HostileCase {
  kind: 'far-past' | 'far-future' | 'deep-nesting' | 'huge-array' | 'string' | 'numeric-string';
  /** The decoded JSON value; write it with jsonWithoutRecursion (JSON.stringify overflows on the deep ones). */
  value: unknown;
}

/**
 * A fuzz round's hostile inputs built from `valid` (a valid interaction,
 * not modified), for input arriving at `arrival.arrivedAt`: every far-past
 * and far-future time, nesting past MAX_JSON_DEPTH in each place an event
 * can nest, 100,000-element arrays as a message and in fields, and every
 * unstorable, oversized or numeric string in each kind of field, in a
 * seeded order. Every one must be refused, with a reason.
 * `eventId(n)` names the n-th case's event, where it keeps one.
 */
export function hostileCases(random: Random, valid: Record<string, unknown>, arrival: { arrivedAt: number; maxFutureSkewMs: number }, eventId: (n: number) => string): HostileCase[] {
  const cases: HostileCase[] = [];
  const event = (fields: Record<string, unknown>) => ({ ...structuredClone(valid), event_id: eventId(cases.length), ...fields });
  const add = (kind: HostileCase['kind'], value: unknown) => cases.push({ kind, value });

  for (const time of FAR_PAST_TIMES) add('far-past', event({ event_time: time }));
  for (const time of farFutureTimes(arrival.arrivedAt, arrival.maxFutureSkewMs)) add('far-future', event({ event_time: time }));
  // A batch is refused whole when one element lies too far ahead.
  add('far-future', [event({}), event({ event_time: Date.UTC(2099, 11, 31), event_id: eventId(cases.length + 1_000_000) })]);

  for (const depth of HOSTILE_DEPTHS) {
    const kind = random() < 0.5 ? 'array' : 'object';
    add('deep-nesting', event({ context: { deep: deeplyNested(depth, kind) } }));
    add('deep-nesting', event({ features: { deep: deeplyNested(depth, kind, 1) } }));
    add('deep-nesting', event({ event_id: deeplyNested(depth, kind, eventId(cases.length)) }));
    add('deep-nesting', deeplyNested(depth, 'array', event({})));
    add('deep-nesting', [event({}), deeplyNested(depth, kind)]);
  }

  add('huge-array', hugeArray(100_000, (i) => event({ event_id: `${eventId(cases.length)}-${i}` })));
  add('huge-array', hugeArray(1_001, (i) => event({ event_id: `${eventId(cases.length)}-${i}` })));
  add('huge-array', [event({}), hugeArray(100_000, (i) => i)]);
  add('huge-array', event({ context: { list: hugeArray(100_000, () => 0) } }));
  add('huge-array', event({ features: { list: hugeArray(100_000, (i) => i / 7) } }));
  add('huge-array', event({ item_id: hugeArray(100_000, () => '') }));
  add('huge-array', event({ unexpected_field: hugeArray(100_000, () => null) }));

  const stringFields = ['user_id', 'item_id', 'request_id', 'experiment', 'event_id'] as const;
  for (const s of UNSTORABLE_STRINGS) {
    add('string', event({ [pick(random, stringFields)]: s }));
    add('string', event({ context: { surface: 'home', note: s } }));
    add('string', event({ context: { [s]: 1 } }));
  }
  for (let i = 0; i < 3; i++) {
    add('string', event({ [pick(random, stringFields)]: megabyteString(random) }));
    add('string', event({ context: { note: megabyteString(random) } }));
  }
  add('string', event({ context: { ['k'.repeat(65)]: 1 } }));
  add('string', event({ user_id: '' }));
  add('string', event({ item_id: 'i'.repeat(129) }));
  for (const s of NUMERIC_STRINGS) {
    add('numeric-string', event({ event_time: s }));
    add('numeric-string', event({ context: { position: s } }));
  }
  add('numeric-string', event({ type: 'rating', rating: '5' }));
  add('numeric-string', event({ type: 'view', dwell_ms: '1000' }));
  add('numeric-string', event({ schema_version: '1' }));
  // Seeded order: the kinds interleave.
  for (let i = cases.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [cases[i], cases[j]] = [cases[j]!, cases[i]!];
  }
  return cases;
}
