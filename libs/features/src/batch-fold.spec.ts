import { describe, expect, it } from 'vitest';
import type { InteractionEvent } from '@recstream/schemas';
import { DEFAULT_AGGREGATION_OPTIONS as OPTIONS, emptyUserState } from './entity-state.js';
import { BatchFold } from './batch-fold.js';

const T0 = Date.UTC(2026, 2, 1);
const SEC = 1_000;
let n = 0;
const click = (item: string, time: number): InteractionEvent => ({ schema_version: 1, event_id: `e${n++}`, type: 'click', user_id: 'u1', item_id: item, event_time: time, context: {} });
const userRows = (fold: BatchFold) =>
  fold
    .writes()
    .history.filter((row) => row.view === 'user_activity' && row.entityId === 'u1')
    .map((row) => [row.eventTime - T0, (row.values as { counts: { click: { '7d': number } } }).counts.click['7d']]);

describe('history rows', () => {
  it('are written for every interval of event time an entity was active in, not once per batch', () => {
    const fold = new BatchFold(OPTIONS);
    for (const seconds of [5, 30, 70, 200, 210]) fold.apply(click('a', T0 + seconds * SEC));
    // As of each interval's last event: what a label just after it must see.
    expect(userRows(fold)).toEqual([
      [30 * SEC, 2],
      [70 * SEC, 3],
      [210 * SEC, 5],
    ]);
  });

  it('do not repeat the row a stored state already has', () => {
    const stored = emptyUserState();
    stored.time = T0;
    const fold = new BatchFold(OPTIONS, (entity) => (entity === 'user' ? { state: JSON.stringify(stored), version: '1' } : undefined));
    fold.apply(click('a', T0 + 300 * SEC));
    expect(userRows(fold)).toEqual([[300 * SEC, 1]]);
  });
});
