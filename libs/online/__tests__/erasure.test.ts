import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deserializeModel, isUserTable, vocabularyId, type RecModel } from '@recstream/models';
import { UserEraser } from '@recstream/privacy';
import type { OnlineLineage } from '@recstream/deltas';
import { isHoldoutUser } from '../src/index.js';
import { caughtUp, createHarness, createTopic, produce, run, startUpdater, type Harness } from './harness.js';

let harness: Harness;

beforeAll(async () => {
  harness = await createHarness();
}, 120_000);

afterAll(async () => {
  await harness?.close();
});

/** The user tables of `model` that hold a row for `userId`. */
const tablesKnowing = (model: RecModel, userId: string) =>
  [...model.tables()].filter(([name, table]) => isUserTable(name) && table.row(vocabularyId(userId), false) >= 0).map(([name]) => name);

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('OnlineUpdater and user erasure', () => {
  it('forgets an erased user at once, skips their later events and snapshots a version whose lineage and state honour the erasure', async () => {
    const topic = await createTopic(harness, 'erase');
    const [before, after] = [harness.world.events(500, true), harness.world.events(500, true)];
    const user = before.find((e) => e.type === 'click' && !isHoldoutUser(e.user_id, 0.1) && after.some((a) => a.user_id === e.user_id))!.user_id;
    const updater = await startUpdater(harness, { name: `erase-${run}`, topic, flushAfterMs: 50, erasures: { pollIntervalMs: 60_000 } });
    try {
      await produce(topic, before);
      await caughtUp(updater, topic);
      await until(() => updater.status().pending === 0);
      expect(tablesKnowing(updater.model('recall')!, user)).toEqual(['user']);

      const erasure = await new UserEraser(harness.pool, harness.redis, { namespace: `online-test-${run}` }).erase({ userId: user, requestedBy: 'test' });
      // Well inside the poll interval: the NOTIFY brings it.
      await until(() => updater.status().throughErasureId === erasure.erasureId, 5_000);
      for (const role of ['recall', 'ranking'] as const) expect(tablesKnowing(updater.model(role)!, user), role).toEqual([]);

      await produce(topic, after);
      await caughtUp(updater, topic);
      await until(() => updater.status().pending === 0);
      for (const role of ['recall', 'ranking'] as const) expect(tablesKnowing(updater.model(role)!, user), role).toEqual([]);

      const saved = (await updater.snapshot())!;
      for (const role of ['recall', 'ranking'] as const) {
        const version = saved.versions[role]!;
        const lineage = version.lineage as { erasures: { through_erasure_id: number; rows_removed: number }; online: OnlineLineage };
        expect(lineage.erasures.through_erasure_id, role).toBe(erasure.erasureId);
        expect(lineage.erasures.rows_removed, role).toBeGreaterThan(0);
        const artifact = deserializeModel(new Uint8Array(await harness.registry.loadArtifact(version.versionId)));
        expect(tablesKnowing(artifact, user), role).toEqual([]);
        artifact.dispose();
      }
      const { rows } = await harness.pool.query<{ row: string }>('SELECT row_to_json(s)::text AS row FROM online_snapshots s WHERE snapshot_id = $1', [saved.snapshotId]);
      const state = (await harness.pool.query<{ state: Buffer }>('SELECT state FROM online_snapshots WHERE snapshot_id = $1', [saved.snapshotId])).rows[0]!.state.toString();
      expect(state).not.toContain(`"${user}"`);
      expect(rows[0]!.row).not.toContain(`"${user}"`);
      const versions = await harness.pool.query<{ row: string }>('SELECT row_to_json(v)::text AS row FROM model_versions v WHERE version_id = ANY($1)', [
        Object.values(saved.versions).map((v) => v.versionId),
      ]);
      for (const row of versions.rows) expect(row.row).not.toContain(`"${user}"`);
    } finally {
      await updater.close(true);
    }
  }, 120_000);
});
