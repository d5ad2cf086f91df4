/**
 * Hostile input for tests: strings that break naive SQL, JSON or text
 * handling, and a seeded generator of malformed event bodies. Every
 * component that stores or forwards strings is tested with these (SQL
 * injection round trips, fuzzed HTTP bodies, poison Kafka messages).
 */

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
