import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@recstream/schemas/test-database';
import { DEFAULT_GATES, ModelRegistry, PROMOTION_CHANNEL } from '../src/index.js';

let database: TestDatabase;
let pool: pg.Pool;
let registry: ModelRegistry;
const gate = { metric: 'hr_at_10', margin: 0.01, higherIsBetter: true };

beforeAll(async () => {
  database = await createTestDatabase();
  pool = new pg.Pool({ connectionString: database.url });
  registry = new ModelRegistry(pool);
});
afterAll(async () => {
  await pool.end();
  await database.drop();
});

describe('ModelRegistry', () => {
  it('stores a multi-chunk artifact and returns it byte for byte', async () => {
    const artifact = randomBytes(20 * 1024 * 1024 + 123);
    const version = await registry.register({ role: 'recall', modelType: 'mf', metrics: { hr_at_10: 0.3 }, backend: 'wasm' }, artifact);
    expect(version).toMatchObject({ role: 'recall', modelType: 'mf', artifactBytes: artifact.byteLength, backend: 'wasm' });
    expect((await registry.loadArtifact(version.versionId)).equals(artifact)).toBe(true);
    const { rows } = await pool.query('SELECT count(*)::int AS n FROM model_artifact_chunks WHERE version_id = $1', [version.versionId]);
    expect(rows[0].n).toBe(3);
  });

  it('refuses an artifact whose bytes no longer match their digest', async () => {
    const version = await registry.register({ role: 'ranking', modelType: 'din' }, randomBytes(1000));
    await pool.query(`UPDATE model_artifact_chunks SET data = '\\x00' WHERE version_id = $1`, [version.versionId]);
    await expect(registry.loadArtifact(version.versionId)).rejects.toThrow(/does not match its digest/);
  });

  it('promotes through the gate, records every decision and announces promotions', async () => {
    const listener = new pg.Client({ connectionString: database.url });
    await listener.connect();
    const announced: string[] = [];
    listener.on('notification', (message) => announced.push(message.payload ?? ''));
    await listener.query(`LISTEN ${PROMOTION_CHANNEL}`);

    const register = (hr: number) => registry.register({ role: 'ranking', modelType: 'neumf', metrics: { hr_at_10: hr } }, randomBytes(10));
    const first = await register(0.5);
    expect((await registry.promoteIfBetter(first.versionId, gate)).promoted).toBe(true);

    const slightlyBetter = await register(0.505);
    await expect(registry.promoteIfBetter(slightlyBetter.versionId, gate)).rejects.toThrow(/evaluate production version/);
    const refused = await registry.promoteIfBetter(slightlyBetter.versionId, gate, 0.5);
    expect(refused).toMatchObject({ promoted: false, incumbentVersion: first.versionId });
    expect((await registry.production('ranking'))?.versionId).toBe(first.versionId);

    const better = await register(0.53);
    expect((await registry.promoteIfBetter(better.versionId, gate, 0.5)).promoted).toBe(true);
    expect((await registry.production('ranking'))?.versionId).toBe(better.versionId);

    const { rows } = await pool.query('SELECT candidate_version, promoted FROM model_promotions WHERE role = $1 ORDER BY decision_id', ['ranking']);
    expect(rows.map((r) => [Number(r.candidate_version), r.promoted])).toEqual([
      [first.versionId, true],
      [slightlyBetter.versionId, false],
      [better.versionId, true],
    ]);
    await new Promise((r) => setTimeout(r, 100));
    expect(announced).toEqual(['ranking', 'ranking']);
    await listener.end();
  });

  it('never promotes a first version whose metric was NaN (stored as null) or that was evaluated on no cases', async () => {
    expect(await registry.production('recall')).toBeUndefined();
    const broken = await registry.register({ role: 'recall', modelType: 'mf', metrics: { hr_at_10: Number.NaN, ncf_users: 500 } }, randomBytes(10));
    expect(broken.metrics.hr_at_10).toBeNull();
    expect(await registry.promoteIfBetter(broken.versionId, DEFAULT_GATES.recall)).toMatchObject({ promoted: false, reason: expect.stringContaining('is NaN') });
    const empty = await registry.register({ role: 'recall', modelType: 'mf', metrics: { hr_at_10: 0, ncf_users: 0 } }, randomBytes(10));
    expect(await registry.promoteIfBetter(empty.versionId, DEFAULT_GATES.recall)).toMatchObject({ promoted: false, reason: expect.stringContaining('evaluated on 0 cases') });
    const sound = await registry.register({ role: 'recall', modelType: 'mf', metrics: { hr_at_10: 0.3, ncf_users: 500 } }, randomBytes(10));
    expect((await registry.promoteIfBetter(sound.versionId, DEFAULT_GATES.recall)).promoted).toBe(true);
  });

  it("commits versions, promotions and the caller's own writes of one transaction together or not at all", async () => {
    const before = await registry.list('recall', 100);
    await expect(
      registry.transaction(async (tx) => {
        const version = await tx.register({ role: 'recall', modelType: 'mf' }, randomBytes(10));
        await tx.setProduction('recall', version.versionId);
        await tx.client.query('SELECT 1 / 0');
      }),
    ).rejects.toThrow(/division by zero/);
    expect(await registry.list('recall', 100)).toEqual(before);

    const committed = await registry.transaction(async (tx) => {
      const version = await tx.register({ role: 'recall', modelType: 'mf', lineage: { online: { offsets: { 0: '42' } } } }, randomBytes(10));
      await tx.setProduction('recall', version.versionId);
      expect((await tx.productionForUpdate('recall'))?.versionId).toBe(version.versionId);
      return version;
    });
    expect((await registry.production('recall'))?.lineage).toEqual({ online: { offsets: { 0: '42' } } });
    expect((await registry.production('recall'))?.versionId).toBe(committed.versionId);
  });
});
