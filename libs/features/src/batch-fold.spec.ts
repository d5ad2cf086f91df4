import { describe, expect, it } from 'vitest';
import type { InteractionEvent } from '@recstream/schemas';
import { BatchFold, OPEN_GATE } from './batch-fold.js';
import { DEFAULT_AGGREGATION_OPTIONS } from './entity-state.js';

const click = (n: number, item_id: string): InteractionEvent => ({
  schema_version: 1,
  event_id: `e${n}`,
  type: 'click',
  user_id: 'u',
  item_id,
  event_time: 1_000_000 + n * 1_000,
  context: {},
});

describe('BatchFold gates', () => {
  it('folds only the effects a gate lets through', () => {
    const open = new BatchFold(DEFAULT_AGGREGATION_OPTIONS);
    const gated = new BatchFold(DEFAULT_AGGREGATION_OPTIONS);
    open.apply(click(1, 'a'));
    open.apply(click(2, 'b'));
    gated.apply(click(1, 'a'), { user: true, item: false, covisit: () => true });
    gated.apply(click(2, 'b'), { ...OPEN_GATE, covisit: (item) => item !== 'a' });
    expect([...open.covisits.keys()].sort()).toEqual(['a', 'b']);
    expect([...gated.covisits.keys()]).toEqual(['b']);
    const touched = (fold: BatchFold) => fold.writes().entities.map((e) => `${e.entity}:${e.id}`);
    expect(touched(gated)).toEqual(['user:u', 'item:b']);
    expect(gated.writes().entities[0]!.state).toBe(open.writes().entities[0]!.state);
  });

  it('leaves a user whose state holds the event alone, co-visitations included', () => {
    const fold = new BatchFold(DEFAULT_AGGREGATION_OPTIONS);
    fold.apply(click(1, 'a'), { ...OPEN_GATE, user: false });
    fold.apply(click(2, 'b'), { ...OPEN_GATE, user: false });
    expect(fold.covisits.size).toBe(0);
    expect(fold.writes().entities.map((e) => e.entity)).toEqual(['item', 'item']);
  });
});
