import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecModel } from '@recstream/models';
import type { OnlineUpdater } from '../src/index.js';
import { caughtUp, createHarness, createTopic, produce, run, startUpdater, type Harness } from './harness.js';

let harness: Harness;

beforeAll(async () => {
  harness = await createHarness();
}, 120_000);

afterAll(async () => {
  await harness?.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The largest difference between two copies' weights, over every row both hold and every dense weight. */
function largestGap(a: RecModel, b: RecModel): number {
  let gap = 0;
  for (const [name, table] of a.tables()) {
    const other = b.tables().get(name)!;
    const ids = table.export().ids.filter((id) => id >= 0);
    const [left, right] = [table.rowsOf(ids), other.rowsOf(ids)];
    left.forEach((value, i) => (gap = Math.max(gap, Math.abs(value - right[i]!))));
  }
  const [left, right] = [a.toArtifact().dense, b.toArtifact().dense];
  for (const [name, { values }] of Object.entries(left)) values.forEach((value, i) => (gap = Math.max(gap, Math.abs(value - right[name]!.values[i]!))));
  return gap;
}

/** Waits until both instances have shared and taken in everything: the same models, to float rounding. */
async function agreed(instances: OnlineUpdater[], timeoutMs = 20_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const instance of instances) await instance.publish();
    await sleep(300);
    const gap = Math.max(...(['recall', 'ranking'] as const).map((role) => largestGap(instances[0]!.model(role)!, instances[1]!.model(role)!)));
    if (gap < 1e-5 || Date.now() > deadline) return gap;
  }
}

describe('online updater instances following each other (followPeers)', () => {
  it('train one model between them, and an instance restarted from its snapshot takes in what it shared before the crash instead of training on it again', async () => {
    const topic = await createTopic(harness, 'peers', 2);
    const options = { name: `peers-${run}`, topic, learner: { followPeers: true }, publishIntervalMs: 100 } as const;
    const first = await startUpdater(harness, options);
    const second = await startUpdater(harness, options);
    // Both in the group before any event, so each reads a partition of its own.
    while (!first.ready || !second.ready) await sleep(50);
    await sleep(3_000);
    const events = harness.world.events(1_000, true);
    const third = Math.floor(events.length / 3);
    await produce(topic, events.slice(0, third));
    for (const instance of [first, second]) await caughtUp(instance, topic);
    expect(first.status().examples).toBeGreaterThan(0);
    expect(second.status().examples).toBeGreaterThan(0);
    expect(await agreed([first, second])).toBeLessThan(1e-5);

    const atSnapshot = first.status().examples;
    const saved = await first.snapshot();
    await produce(topic, events.slice(third, 2 * third));
    await caughtUp(first, topic);
    await first.publish();
    expect(first.status().examples).toBeGreaterThan(atSnapshot);
    // A crash after sharing what it trained since the snapshot: the restarted instance takes that in before it consumes, and does not train on those events again.
    await first.close(true);
    const restarted = await startUpdater(harness, options);
    expect(restarted.status().versions.recall).toBe(saved!.versions.recall!.versionId);
    await caughtUp(restarted, topic, 1_000);
    await sleep(2_000);
    expect(restarted.status().examples).toBe(atSnapshot);

    await produce(topic, events.slice(2 * third));
    for (const instance of [restarted, second]) await caughtUp(instance, topic);
    expect(restarted.status().examples).toBeGreaterThan(atSnapshot);
    expect(await agreed([restarted, second])).toBeLessThan(1e-5);
    await Promise.all([restarted.close(true), second.close(true)]);
  }, 180_000);
});
