import { describe, expect, it } from 'vitest';
import type { InteractionEvent } from '@recstream/schemas';
import { SortedRuns } from './sorted-runs.js';

const click = (event_id: string, event_time: number, user_id = 'u1'): InteractionEvent => ({ schema_version: 1, event_id, type: 'click', user_id, item_id: 'i1', event_time, context: {} });

async function drain(runs: SortedRuns, batchSize: number): Promise<{ batches: number[]; events: InteractionEvent[] }> {
  const out = { batches: [] as number[], events: [] as InteractionEvent[] };
  for await (const batch of runs.merged(batchSize)) {
    out.batches.push(batch.length);
    out.events.push(...batch);
  }
  return out;
}

describe('SortedRuns', () => {
  it('merges runs spilled to disk with the rest into time then id order, the first of a repeated key winning', async () => {
    const input = [click('c', 30), click('a', 10), click('b', 30), click('a', 10, 'repeat-same-run'), click('d', 5), click('b', 30, 'repeat-later-run'), click('e', 20), click('f', 1)];
    const runs = new SortedRuns(3);
    try {
      for (const event of input) await runs.add(event);
      expect(runs.spilled).toBe(2);
      const { batches, events } = await drain(runs, 4);
      expect(events.map((event) => `${event.event_time}/${event.event_id}/${event.user_id}`)).toEqual(['1/f/u1', '5/d/u1', '10/a/u1', '20/e/u1', '30/b/u1', '30/c/u1']);
      expect(batches).toEqual([4, 2]);
      expect(events.find((event) => event.event_id === 'c')).toEqual(input[0]);
      expect(runs.duplicates).toBe(2);
    } finally {
      runs.remove();
    }
  });

  it('sorts an input shorter than a run in memory', async () => {
    const runs = new SortedRuns(100);
    for (const event of [click('b', 2), click('a', 2), click('c', 1)]) await runs.add(event);
    expect(runs.spilled).toBe(0);
    expect((await drain(runs, 10)).events.map((event) => event.event_id)).toEqual(['c', 'a', 'b']);
  });
});
