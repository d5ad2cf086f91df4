import { describe, expect, it } from 'vitest';
import { SyntheticWorld } from '@recstream/synth';
import type { ServedList } from './pipeline.js';
import { listQuality, pairedDifferences, referenceListsFor, scoreLists } from './quality.js';

const world = new SyntheticWorld({ users: 60, items: 200, categories: 8, days: 2, seed: 21 });
const time = world.options.start + 3 * 86_400_000;
const requests = world.users.map((user) => ({ user, context: { device: user.device, hour: 9 }, time, previousCategory: undefined }));

describe('listQuality', () => {
  it('gives lists of the best items a lift share of 1, and counts clicks as measured', () => {
    const references = referenceListsFor(world);
    const lists: ServedList[] = requests.map((request, i) => ({
      request,
      variant: null,
      itemIds: references.lists(request).best.map((item) => item.id),
      clicks: i % 2,
      degraded: i % 3 === 0,
    }));
    const quality = listQuality(scoreLists(referenceListsFor(world), lists));
    expect(quality).toMatchObject({ lists: 60, degraded: 20, exposures: 600, clicks: 30, ctr: 0.05 });
    expect(quality.expected_ctr).toBeCloseTo(quality.best_ctr, 12);
    expect(quality.lift_share).toBeCloseTo(1, 12);
    expect(quality.random_ctr).toBeLessThan(quality.heuristic_ctr);
  });

  it('scores the same lists the same, the reference draws following their order', () => {
    const lists: ServedList[] = requests.map((request) => ({ request, variant: null, itemIds: ['i1', 'i2'], clicks: 0, degraded: false }));
    expect(listQuality(scoreLists(referenceListsFor(world), lists))).toEqual(listQuality(scoreLists(referenceListsFor(world), lists)));
  });
});

describe('pairedDifferences', () => {
  it("scores each variant's list, served or counterfactual, on the same request, and skips requests without both", () => {
    const references = referenceListsFor(world);
    const best = (i: number) => references.lists(requests[i]!).best.map((item) => item.id);
    const random = (i: number) => references.lists(requests[i]!).random.map((item) => item.id);
    const list = (i: number, variant: string, itemIds: string[], counterfactuals?: ServedList['counterfactuals']): ServedList => ({
      request: requests[i]!,
      variant,
      itemIds,
      clicks: 0,
      degraded: false,
      ...(counterfactuals && { counterfactuals }),
    });
    // The random draws move on with every call: one list, kept.
    const frozen = random(0);
    const lists = [
      list(0, 'online', best(0), { frozen: { itemIds: frozen, degraded: false } }),
      list(1, 'frozen', best(1), { online: { itemIds: best(1), degraded: false } }),
      list(2, 'online', best(2)),
    ];
    const paired = pairedDifferences(references, lists, 'online', 'frozen');
    expect(paired.map((p) => [p.userId, p.shared])).toEqual([
      [requests[0]!.user.id, best(0).filter((id) => frozen.includes(id)).length],
      [requests[1]!.user.id, 10],
    ]);
    expect(paired[0]!.difference).toBeCloseTo(references.expectedCtrOf(requests[0]!, best(0)) - references.expectedCtrOf(requests[0]!, frozen), 12);
    expect(paired[0]!.difference).toBeGreaterThan(0);
    expect(paired[1]!.difference).toBe(0);
  });
});
