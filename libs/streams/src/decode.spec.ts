import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_FUTURE_SKEW_MS } from '@recstream/schemas';
import { upsertMessages, decodeMessage, interactionMessages } from './decode.js';

const NOW = Date.now();
const click = (n: number, eventTime: number) => ({ event_id: `e${n}`, type: 'click', user_id: 'u', item_id: `i${n}`, event_time: eventTime });
const message = (value: unknown, timestamp = NOW) => ({ value: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)), timestamp: String(timestamp), offset: '7' });
const decode = (value: unknown, timestamp?: number) => decodeMessage(message(value, timestamp), interactionMessages(DEFAULT_MAX_FUTURE_SKEW_MS));

describe('decodeMessage', () => {
  it('takes one event or an array of them, dated up to the allowed skew past their arrival', () => {
    expect(decode(click(1, NOW - 60_000))).toMatchObject({ offset: '7', events: [{ event_id: 'e1' }] });
    expect(decode([click(1, NOW), click(2, NOW + DEFAULT_MAX_FUTURE_SKEW_MS)])).toMatchObject({ events: [{ event_id: 'e1' }, { event_id: 'e2' }] });
  });

  it('refuses a message with an event dated further ahead, judged by its timestamp, so a replay decides the same', () => {
    expect(decode(click(1, Date.UTC(2099, 11, 31)))).toMatchObject({ refused: 'future_dated', reasons: [expect.stringMatching(/^event_time: /)] });
    expect(decode([click(1, NOW), click(2, NOW + DEFAULT_MAX_FUTURE_SKEW_MS + 1)])).toMatchObject({ refused: 'future_dated', reasons: [expect.stringMatching(/^\[1\]\.event_time: /)] });
    expect(decode(click(1, NOW), NOW - DEFAULT_MAX_FUTURE_SKEW_MS - 1)).toMatchObject({ refused: 'future_dated' });
  });

  it('refuses what is not JSON, not valid, or not of the topic, saying why and keeping the raw value', () => {
    expect(decode('{broken')).toMatchObject({ refused: 'invalid', reasons: [expect.stringMatching(/^message: invalid JSON/)], raw: '{broken' });
    expect(decode({ ...click(1, NOW), user_id: '' })).toMatchObject({ refused: 'invalid', raw: { event_id: 'e1' } });
    const item = { event_id: 'e', type: 'item', item_id: 'i', event_time: NOW };
    expect(decode(item)).toEqual({ offset: '7', refused: 'invalid', reasons: ['type: item does not belong on this topic; expected interaction events'], raw: item });
    expect(decodeMessage(message(item), upsertMessages(DEFAULT_MAX_FUTURE_SKEW_MS))).toMatchObject({ events: [{ type: 'item' }] });
  });
});
