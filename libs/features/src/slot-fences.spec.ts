import { describe, expect, it } from 'vitest';
import type { InteractionEvent } from '@recstream/schemas';
import type { EntityWrite } from './plan.js';
import { SlotFences, groupBySlot } from './slot-fences.js';
import { keySlot } from './slots.js';

const write = (entity: 'user' | 'item', id: string): EntityWrite => ({ entity, id, expectedToken: '', state: '{}', views: {}, eventTime: 0 });
const event = (user_id: string, item_id: string) => ({ user_id, item_id }) as InteractionEvent;

describe('groupBySlot', () => {
  it('puts items with the co-visitation sets of their slot, and users in groups of their own', () => {
    // 'a' and '{a}x' hash alike (the tag), 'b' elsewhere.
    const plan = { entities: [write('item', 'a'), write('user', 'a'), write('item', 'b')], covisits: new Map([['{a}x', new Map([['b', 1]])]]) };
    const groups = groupBySlot(plan);
    const summary = groups.map((g) => [g.phase, g.slot, g.entities.map((e) => `${e.entity}:${e.id}`), [...g.covisits.keys()]]);
    expect(summary).toEqual([
      ['items', keySlot('a'), ['item:a'], ['{a}x']],
      ['users', keySlot('a'), ['user:a'], []],
      ['items', keySlot('b'), ['item:b'], []],
    ]);
  });
});

describe('SlotFences', () => {
  it("lets through only the effects whose slot's fence an event lies past", () => {
    const fences = new SlotFences({ offset: '9', streamTime: 0 });
    fences.set('items', keySlot('i1'), '12');
    fences.set('users', keySlot('u1'), '');
    expect(fences.partial).toBe(true);
    const landed = fences.gate('11', event('u1', 'i1'));
    expect([landed.user, landed.item, landed.covisit('i1'), landed.covisit('i2')]).toEqual([true, false, false, true]);
    const after = fences.gate('13', event('u1', 'i1'));
    expect([after.user, after.item, after.covisit('i1')]).toEqual([true, true, true]);
    expect(fences.expected('items', keySlot('i1'))).toBe('12');
  });

  it('is not partial while every fence read is at or before the partition watermark', () => {
    const fences = new SlotFences({ offset: '9', streamTime: 0 });
    fences.set('items', keySlot('i1'), '9');
    fences.set('users', keySlot('u1'), null);
    expect(fences.partial).toBe(false);
  });
});
