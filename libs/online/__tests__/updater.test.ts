import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyDelta, deserializeModel, type RecModel } from '@recstream/models';
import type { InteractionEvent } from '@recstream/schemas';
import { DeltaChannel, lineageKey, onlineLineage } from '@recstream/deltas';
import { isHoldoutUser, type OnlineUpdater } from '../src/index.js';
import { caughtUp, createHarness, flushed, createTopic, produce, run, startUpdater, type Harness } from './harness.js';

let harness: Harness;

beforeAll(async () => {
  harness = await createHarness();
}, 120_000);

afterAll(async () => {
  await harness?.close();
});

/** Every table's ids and weights and every dense weight of a model, for comparing two. */
function weightsOf(model: RecModel) {
  const artifact = model.toArtifact();
  return {
    tables: Object.fromEntries(Object.entries(artifact.tables).map(([name, t]) => [name, { ids: Array.from(t.ids), weights: Array.from(t.weights) }])),
    dense: Object.fromEntries(Object.entries(artifact.dense).map(([name, d]) => [name, Array.from(d.values)])),
  };
}

function expectClose(actual: ReturnType<typeof weightsOf>, expected: ReturnType<typeof weightsOf>): void {
  expect(Object.keys(actual.tables)).toEqual(Object.keys(expected.tables));
  for (const [name, table] of Object.entries(expected.tables)) {
    expect(actual.tables[name]!.ids).toEqual(table.ids);
    actual.tables[name]!.weights.forEach((w, i) => expect(w).toBeCloseTo(table.weights[i]!, 5));
  }
  for (const [name, values] of Object.entries(expected.dense)) actual.dense[name]!.forEach((w, i) => expect(w).toBeCloseTo(values[i]!, 5));
}

describe('OnlineUpdater', () => {
  it('restarted in the middle of a stream, from its snapshot, ends where an uninterrupted run does', async () => {
    const events = harness.world.events(700, true);
    const thirds = [events.slice(0, 700), events.slice(700, 1_500), events.slice(1_500)];
    // The same messages at the same offsets on two topics: one read in one go, one in thirds with a crash.
    const [whole, phased] = [await createTopic(harness, 'whole'), await createTopic(harness, 'phased')];
    await produce(whole, events);

    const uninterrupted = await startUpdater(harness, { name: `whole-${run}`, topic: whole });
    await caughtUp(uninterrupted, whole);
    const expected = { recall: weightsOf(uninterrupted.model('recall')!), ranking: weightsOf(uninterrupted.model('ranking')!), status: uninterrupted.status() };
    // Forced: no final snapshot, so production stays as it was for the run below.
    await uninterrupted.close(true);
    expect(expected.status.pending).toBeGreaterThan(0);

    await produce(phased, thirds[0]!);
    const first = await startUpdater(harness, { name: `phased-${run}`, topic: phased });
    await caughtUp(first, phased);
    const saved = await first.snapshot();
    expect(saved?.promoted.sort()).toEqual(['ranking', 'recall']);
    await produce(phased, thirds[1]!);
    await caughtUp(first, phased);
    // A crash: what was applied after the snapshot is lost and must be replayed once, not skipped or doubled.
    await first.close(true);

    await produce(phased, thirds[2]!);
    const restarted = await startUpdater(harness, { name: `phased-${run}`, topic: phased });
    expect(restarted.status().versions).toEqual({ recall: saved!.versions.recall!.versionId, ranking: saved!.versions.ranking!.versionId });
    await caughtUp(restarted, phased);

    expect(restarted.status().examples).toBe(expected.status.examples);
    expect(restarted.status().pending).toBe(expected.status.pending);
    expectClose(weightsOf(restarted.model('recall')!), expected.recall);
    expectClose(weightsOf(restarted.model('ranking')!), expected.ranking);

    const after = (await restarted.snapshot())!;
    const recall = after.versions.recall!;
    expect(recall.parentVersion).toBe(saved!.versions.recall!.versionId);
    expect(onlineLineage(recall)).toMatchObject({
      updater: `phased-${run}`,
      root_version: harness.versions.recall,
      topic: phased,
      offsets_from: onlineLineage(saved!.versions.recall!)!.offsets,
      offsets: { 0: String(events.length) },
      examples: expected.status.examples,
    });
    expect((await harness.registry.production('recall'))?.versionId).toBe(recall.versionId);
    await restarted.close(true);
  });

  it('learns the same from served lists logged one message each (as serving does) as from one message per exposure', async () => {
    const events = harness.world.events(300, true);
    const [single, lists] = [await createTopic(harness, 'single'), await createTopic(harness, 'lists')];
    await produce(single, events);
    await produce(lists, events, { servedListsAsOne: true });
    const fromSingle = await startUpdater(harness, { name: `single-${run}`, topic: single });
    await caughtUp(fromSingle, single);
    const fromLists = await startUpdater(harness, { name: `lists-${run}`, topic: lists });
    await caughtUp(fromLists, lists);
    expect(fromSingle.status().examples).toBeGreaterThan(0);
    expect(fromLists.status().examples).toBe(fromSingle.status().examples);
    expectClose(weightsOf(fromLists.model('recall')!), weightsOf(fromSingle.model('recall')!));
    expectClose(weightsOf(fromLists.model('ranking')!), weightsOf(fromSingle.model('ranking')!));
    await Promise.all([fromSingle.close(true), fromLists.close(true)]);
  });

  it('publishes the rows it touches, which bring a copy of the production model to the updater’s model', async () => {
    const topic = await createTopic(harness, 'publish');
    const updater = await startUpdater(harness, { name: `publish-${run}`, topic, flushAfterMs: 50 });
    const production = (await harness.registry.production('recall'))!;
    const served = deserializeModel(new Uint8Array(await harness.registry.loadArtifact(production.versionId)));
    const channel = new DeltaChannel(harness.redis, updater.options.deltas);
    const before = await channel.read(lineageKey(production), '0', 100_000);

    await produce(topic, harness.world.events(300, true));
    await caughtUp(updater, topic);
    // The partial batch trains flushAfterMs after the last chunk; published before that, it would move the model past its deltas.
    await flushed(updater);
    await updater.publish();
    const entries = await channel.read(lineageKey(production), before.at(-1)?.id ?? '0', 100_000);
    expect(entries.length).toBeGreaterThan(0);
    // The updater started from production as it is: its own deltas alone must bring a copy there.
    for (const entry of entries) applyDelta(served, entry.delta);
    expectClose(weightsOf(served), weightsOf(updater.model('recall')!));
    // Only touched rows travel: far fewer than the table holds.
    const published = new Set(entries.flatMap((entry) => Array.from(entry.delta.tables.user?.ids ?? [])));
    expect(published.size).toBeGreaterThan(0);
    expect(published.size).toBeLessThan(updater.model('recall')!.tables().get('user')!.size);
    await updater.close(true);
    served.dispose();
  });

  it('stops publishing and promoting, but keeps consuming, while the holdout AUC trails the parent’s by more than the margin', async () => {
    const topic = await createTopic(harness, 'guardrail');
    // Held-back users keep their old taste, which the parent knows; everyone else clicks at random and a huge learning rate scrambles the model.
    const holdout = (e: InteractionEvent) => isHoldoutUser(e.user_id, 0.3);
    const noise = harness.world.events(800, false).map((e, i) => (holdout(e) ? e : { ...e, item_id: `sc${i % 8}-i${(i * 7) % 25}` }));
    await produce(topic, noise.slice(0, 2_000));
    const updater = await startUpdater(harness, {
      name: `guardrail-${run}`,
      topic,
      roles: ['recall'],
      sparseLearningRates: { recall: 20 },
      flushAfterMs: 50,
      learner: { batchSize: 64, denseEvery: 0, denseLearningRate: 0, holdoutFraction: 0.3, followPeers: false, guardrail: { window: 2_000, minExamples: 300, margin: 0.02 } },
    });
    await caughtUp(updater, topic);
    await updater.publish();
    const guardrail = updater.status().guardrail.recall!;
    expect(guardrail.examples).toBeGreaterThanOrEqual(300);
    expect(guardrail.parentAuc - guardrail.onlineAuc).toBeGreaterThan(0.02);
    expect(guardrail.healthy).toBe(false);

    const production = (await harness.registry.production('recall'))!;
    const channel = new DeltaChannel(harness.redis, updater.options.deltas);
    const published = (await channel.read(lineageKey(production), '0', 100_000)).length;
    const examples = updater.status().examples;
    await produce(topic, noise.slice(2_000));
    await caughtUp(updater, topic);
    await updater.publish();
    expect(updater.status().examples).toBeGreaterThan(examples);
    expect((await channel.read(lineageKey(production), '0', 100_000)).length).toBe(published);

    const metrics = await (await fetch(`http://127.0.0.1:${updater.port}/metrics`)).text();
    expect(metrics).toMatch(/online_updater_guardrail_tripped\{role="recall",app="online-updater"\} 1/);
    const saved = (await updater.snapshot())!;
    expect(saved.promoted).toEqual([]);
    expect((await harness.registry.production('recall'))?.versionId).toBe(production.versionId);
    await updater.close(true);
  });
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
