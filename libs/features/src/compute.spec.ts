import { describe, expect, it } from 'vitest';
import type { InteractionEvent } from '@recstream/schemas';
import { DEFAULT_AGGREGATION_OPTIONS } from './entity-state.js';
import { computeBatch, entitiesOf, type BatchInput } from './compute.js';

const options = { ...DEFAULT_AGGREGATION_OPTIONS, allowedLatenessMs: 60_000 };
const T0 = Date.UTC(2026, 2, 1);
const click = (id: string, user: string, item: string, time: number): InteractionEvent => ({
  schema_version: 1,
  event_id: id,
  type: 'click',
  user_id: user,
  item_id: item,
  event_time: time,
  context: {},
});

const input = (events: InteractionEvent[], extra: Partial<BatchInput> = {}): BatchInput => ({
  topic: 'events',
  partition: 0,
  from: undefined,
  lastOffset: '9',
  events,
  stored: new Map(),
  writeToken: 'v1',
  ...extra,
});

describe('computeBatch', () => {
  it('classifies arrivals against stream time and leaves late events uncounted', () => {
    const events = [click('1', 'u', 'a', T0 + 120_000), click('2', 'u', 'b', T0 + 90_000), click('3', 'u', 'c', T0)];
    const { plan, arrivals } = computeBatch(input(events), options);
    expect(arrivals).toEqual({ in_order: 1, out_of_order: 1, late: 1 });
    expect(plan.to).toEqual({ offset: '9', streamTime: T0 + 120_000 });
    const user = plan.entities.find((e) => e.entity === 'user')!;
    expect((user.views.user_activity as { counts: { click: { '1h': number } } }).counts.click['1h']).toBe(2);
    expect(plan.entities.filter((e) => e.entity === 'item').map((e) => e.id)).toEqual(['a', 'b']);
  });

  it('starts from the stored watermark and state, keeping their write tokens for the fence', () => {
    const first = computeBatch(input([click('1', 'u', 'a', T0)]), options);
    const stored = new Map(first.plan.entities.map((e) => [`${e.entity}:${e.id}`, { writeToken: '4', state: e.state, attributes: null }]));
    const late = T0 - 2 * 60_000;
    const second = computeBatch(input([click('2', 'u', 'b', T0 + 1_000), click('3', 'u', 'c', late)], { from: first.plan.to, stored }), options);
    expect(second.arrivals).toEqual({ in_order: 1, out_of_order: 0, late: 1 });
    const user = second.plan.entities.find((e) => e.entity === 'user')!;
    expect(user.expectedToken).toBe('4');
    expect((user.views.user_sequence as { items: { item_id: string }[] }).items.map((i) => i.item_id)).toEqual(['a', 'b']);
    expect(second.plan.covisits.get('a')).toEqual(new Map([['b', 1]]));
    expect(second.plan.covisits.get('b')).toEqual(new Map([['a', 1]]));
    // user_sequence has no history rows: the event log answers it point-in-time.
    expect(second.history.filter((row) => row.entityId === 'u').map((row) => [row.view, row.eventTime])).toEqual([['user_activity', T0 + 1_000]]);
  });

  it('counts user categories from the stored item attributes', () => {
    const stored = new Map([['item:a', { writeToken: '', state: null, attributes: JSON.stringify({ categories: ['books'] }) }]]);
    const { plan } = computeBatch(input([click('1', 'u', 'a', T0)], { stored }), options);
    const activity = plan.entities.find((e) => e.entity === 'user')!.views.user_activity as { category_counts: object };
    expect(activity.category_counts).toEqual({ books: { '1h': 1, '24h': 1, '7d': 1 } });
  });

  it('lists each touched entity once', () => {
    expect(entitiesOf([click('1', 'u', 'a', T0), click('2', 'u', 'a', T0)])).toEqual([
      { entity: 'user', id: 'u' },
      { entity: 'item', id: 'a' },
    ]);
  });
});
