import { describe, expect, it } from 'vitest';
import type { InteractionEvent } from '@recstream/schemas';
import { eventFromLogRow, logPayload, type EventLogRow } from './event-log-row.js';

const exposure: InteractionEvent = {
  schema_version: 1,
  event_id: 'x1',
  type: 'exposure',
  user_id: 'u1',
  item_id: 'i1',
  event_time: Date.UTC(2020, 1, 3, 4, 5, 6, 7),
  request_id: 'r1',
  experiment: 'ranker',
  variant: 'b',
  context: { surface: 'home', position: 2 },
  features: { item_category: 'c1' },
};

const rating: InteractionEvent = { schema_version: 1, event_id: 'm1', type: 'rating', user_id: 'u2', item_id: 'i2', event_time: 1_000, context: {}, rating: 4.5 };

/** The row the stream's insert and the backfill's COPY write for an event. */
function logged(event: InteractionEvent, payload: Partial<InteractionEvent> = logPayload(event)): EventLogRow {
  const { event_time, event_id, type, user_id, item_id, context } = event;
  return { event_ms: event_time, event_id, type, user_id, item_id, request_id: event.request_id ?? null, experiment: event.experiment ?? null, variant: event.variant ?? null, context, payload };
}

describe('event_log rows', () => {
  it('keep in the payload only the fields no column holds', () => {
    expect(logPayload(exposure)).toEqual({ schema_version: 1, features: { item_category: 'c1' } });
    expect(logPayload(rating)).toEqual({ schema_version: 1, rating: 4.5 });
  });

  it('read back as the event that was logged', () => {
    expect(eventFromLogRow(logged(exposure))).toEqual(exposure);
    expect(eventFromLogRow(logged(rating))).toEqual(rating);
  });

  it('read a row logged with the whole event as its payload as the same event', () => {
    expect(eventFromLogRow(logged(exposure, exposure))).toEqual(exposure);
    expect(eventFromLogRow(logged(rating, rating))).toEqual(rating);
  });
});
