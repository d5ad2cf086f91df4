import type { InteractionEvent } from '@recstream/schemas';
import type { FoldGate } from './batch-fold.js';
import type { WritePhase } from './keys.js';
import type { BatchPlan, EntityWrite, Watermark } from './plan.js';
import { keySlot } from './slots.js';

/**
 * A partition's fences on a Redis Cluster, as read before computing a
 * batch: the partition's watermark, and the offset each phase's fence
 * holds in each slot read so far. An effect of a message is still to be
 * written when the message lies past both (docs/decisions/cluster-exactly-once.md).
 */
export class SlotFences {
  /** `${phase}:${slot}` -> offset the fence held ('' for none). */
  private readonly read = new Map<string, string>();

  constructor(readonly partition: Watermark | undefined) {}

  /** Records what a fence held when read. */
  set(phase: WritePhase, slot: number, offset: string | null): void {
    this.read.set(`${phase}:${slot}`, offset ?? '');
  }

  has(phase: WritePhase, slot: number): boolean {
    return this.read.has(`${phase}:${slot}`);
  }

  /** What the fence held, for its check at write time ('' for none). */
  expected(phase: WritePhase, slot: number): string {
    return this.read.get(`${phase}:${slot}`) ?? '';
  }

  /** Whether any fence read runs past the partition's watermark: a batch landed in some slots only. */
  get partial(): boolean {
    const mark = BigInt(this.partition?.offset ?? -1);
    return [...this.read.values()].some((offset) => offset !== '' && BigInt(offset) > mark);
  }

  /** Which of the effects of the message at `offset` are still to be written. */
  gate(offset: string, event: InteractionEvent): FoldGate {
    const at = BigInt(offset);
    const open = (phase: WritePhase, id: string) => {
      const fence = this.read.get(`${phase}:${keySlot(id)}`);
      return !fence || at > BigInt(fence);
    };
    return { user: open('users', event.user_id), item: open('items', event.item_id), covisit: (itemId) => open('items', itemId) };
  }
}

/** The writes of one phase in one slot: applied by one script, fenced by that slot's own watermark. */
export interface SlotGroup {
  phase: WritePhase;
  slot: number;
  entities: EntityWrite[];
  covisits: BatchPlan['covisits'];
}

/**
 * Splits a plan by phase and hash slot (an entity's keys hash on its id):
 * items with the co-visitation sets keyed by item id, then users.
 */
export function groupBySlot(plan: Pick<BatchPlan, 'entities' | 'covisits'>): SlotGroup[] {
  const groups = new Map<string, SlotGroup>();
  const group = (phase: WritePhase, id: string) => {
    const slot = keySlot(id);
    const key = `${phase}:${slot}`;
    let found = groups.get(key);
    if (!found) groups.set(key, (found = { phase, slot, entities: [], covisits: new Map() }));
    return found;
  };
  for (const write of plan.entities) group(write.entity === 'user' ? 'users' : 'items', write.id).entities.push(write);
  for (const [item, others] of plan.covisits) group('items', item).covisits.set(item, others);
  return [...groups.values()];
}
