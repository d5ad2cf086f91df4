import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_FUTURE_SKEW_MS } from '@recstream/schemas';
import { decodeInteractions } from './decode.js';

const NOW = Date.now();
const click = (n: number, eventTime: number) => ({ event_id: `e${n}`, type: 'click', user_id: 'u', item_id: `i${n}`, event_time: eventTime });
const message = (value: unknown, timestamp = NOW) => ({ value: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)), timestamp: String(timestamp) });
const decode = (value: unknown, timestamp?: number) => decodeInteractions(message(value, timestamp), DEFAULT_MAX_FUTURE_SKEW_MS);

describe('decodeInteractions', () => {
  it('takes one interaction or an array of them, dated up to the allowed skew past their arrival', () => {
    expect(decode(click(1, NOW - 60_000))).toMatchObject({ events: [{ event_id: 'e1' }] });
    expect(decode([click(1, NOW), click(2, NOW + DEFAULT_MAX_FUTURE_SKEW_MS)])).toMatchObject({ events: [{ event_id: 'e1' }, { event_id: 'e2' }] });
  });

  it('skips a message with an event dated further ahead, judged by its timestamp, so a replay decides the same', () => {
    expect(decode(click(1, Date.UTC(2099, 11, 31)))).toEqual({ skipped: 'future_dated' });
    expect(decode([click(1, NOW), click(2, NOW + DEFAULT_MAX_FUTURE_SKEW_MS + 1)])).toEqual({ skipped: 'future_dated' });
    expect(decode(click(1, NOW), NOW - DEFAULT_MAX_FUTURE_SKEW_MS - 1)).toEqual({ skipped: 'future_dated' });
  });

  it('skips what is not an interaction event', () => {
    expect(decode('{broken')).toEqual({ skipped: 'invalid' });
    expect(decode({ ...click(1, NOW), user_id: '' })).toEqual({ skipped: 'invalid' });
    expect(decode({ event_id: 'e', type: 'item', item_id: 'i', event_time: NOW })).toEqual({ skipped: 'invalid' });
  });
});
