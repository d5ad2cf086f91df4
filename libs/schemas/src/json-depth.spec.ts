import { describe, expect, it } from 'vitest';
import { INJECTION_STRINGS } from '../testing/hostile-input.js';
import { MAX_JSON_DEPTH, jsonWithoutRecursion, nestedDeeperThan } from './json-depth.js';
import { deadLetterFor, MAX_DEAD_LETTER_RAW_CHARS } from './topics.js';
import { validateEvent, validateMessage } from './validate.js';

/** `levels` arrays or objects inside one another, as JSON.parse makes them of hostile input. */
const nested = (levels: number, kind: 'array' | 'object' = 'array'): unknown => {
  const text = kind === 'array' ? `${'['.repeat(levels)}${']'.repeat(levels)}` : `${'{"a":'.repeat(levels - 1)}{}${'}'.repeat(levels - 1)}`;
  return JSON.parse(text);
};
const click = { event_id: 'e', type: 'click', user_id: 'u', item_id: 'i', event_time: 1772366400000 };
// Past the depth at which JSON.stringify overflows the stack.
const HOSTILE_DEPTH = 20_000;

describe('nestedDeeperThan', () => {
  it('counts arrays and objects inside one another, not primitives', () => {
    expect(nestedDeeperThan(1, 0)).toBe(false);
    expect(nestedDeeperThan({}, 0)).toBe(true);
    expect(nestedDeeperThan(nested(3), 3)).toBe(false);
    expect(nestedDeeperThan(nested(4, 'object'), 3)).toBe(true);
    expect(nestedDeeperThan([1, 'x', { a: [null] }], 3)).toBe(false);
  });

  it('checks any depth without overflowing the stack', () => {
    expect(nestedDeeperThan(nested(HOSTILE_DEPTH))).toBe(true);
    expect(nestedDeeperThan(nested(MAX_JSON_DEPTH))).toBe(false);
  });
});

describe('jsonWithoutRecursion', () => {
  it('writes what JSON.stringify writes', () => {
    const values = [null, true, 0, -1.5, 'x', [], {}, [1, [2, [3]]], { a: { b: [1, 'two', null] }, 'quote"key': false }, INJECTION_STRINGS, nested(40, 'object')];
    for (const value of values) expect(jsonWithoutRecursion(value)).toBe(JSON.stringify(value));
  });

  it('writes values too deep for JSON.stringify', () => {
    expect(jsonWithoutRecursion(nested(HOSTILE_DEPTH))).toBe(`${'['.repeat(HOSTILE_DEPTH)}${']'.repeat(HOSTILE_DEPTH)}`);
  });
});

describe('input nested past MAX_JSON_DEPTH', () => {
  it('is refused with a reason, before anything walks it', () => {
    const reason = `event: must not nest arrays and objects more than ${MAX_JSON_DEPTH} levels deep`;
    expect(validateEvent({ ...click, context: { deep: nested(HOSTILE_DEPTH) } })).toEqual({ ok: false, reasons: [reason] });
    expect(validateMessage([click, { ...click, extra: nested(HOSTILE_DEPTH, 'object') }])).toEqual({ ok: false, reasons: [`[1].${reason}`] });
  });

  it('makes a dead letter that keeps its JSON text and can be serialized', () => {
    const raw = { ...click, context: { deep: nested(5_000) } };
    const letter = deadLetterFor(['event: too deep'], 'test', raw);
    expect(letter.raw).toBe(`{"event_id":"e","type":"click","user_id":"u","item_id":"i","event_time":1772366400000,"context":{"deep":${'['.repeat(5_000)}${']'.repeat(5_000)}}}`);
    expect(() => JSON.stringify(letter)).not.toThrow();

    const huge = deadLetterFor(['event: too deep'], 'test', nested(HOSTILE_DEPTH));
    expect(huge.raw_truncated).toEqual({ json_chars: 2 * HOSTILE_DEPTH });
    expect((huge.raw as string).length).toBe(MAX_DEAD_LETTER_RAW_CHARS);
  });
});
