import { describe, expect, it } from 'vitest';
import { mulberry32 } from '@recstream/platform';
import { DEFAULT_MAX_FUTURE_SKEW_MS } from './future-skew.js';
import { hostileCases } from '../testing/hostile-input.js';
import { validateEvent, validateMessage } from './validate.js';

const NOW = Date.UTC(2026, 11, 7, 12);
const valid = { event_id: 'e', type: 'click', user_id: 'u', item_id: 'i', event_time: NOW - 60_000, context: { surface: 'home', position: 1 } };
const arrival = { arrivedAt: NOW, maxFutureSkewMs: DEFAULT_MAX_FUTURE_SKEW_MS };

describe('hostileCases', () => {
  it('is refused whole by the contract, each with a reason, and the same for the same seed', () => {
    expect(validateEvent(valid, arrival).ok).toBe(true);
    const cases = hostileCases(mulberry32(7), valid, arrival, (n) => `h-${n}`);
    expect(new Set(cases.map((c) => c.kind))).toEqual(new Set(['far-past', 'far-future', 'deep-nesting', 'huge-array', 'string', 'numeric-string']));
    for (const { kind, value } of cases) {
      const result = validateMessage(value, arrival);
      expect(result.ok, kind).toBe(false);
      if (!result.ok) for (const reason of result.reasons) expect(reason).toMatch(/^[^:]+: \S/s);
    }
    const again = hostileCases(mulberry32(7), valid, arrival, (n) => `h-${n}`);
    expect(again.map((c) => c.kind)).toEqual(cases.map((c) => c.kind));
  });
});
