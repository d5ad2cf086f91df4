import type pg from 'pg';
import type { ModelRegistry, ModelVersion, NewModelVersion } from '@recstream/registry';
import type { ModelRole } from '@recstream/schemas';
import { lineageKey, type Offsets } from '@recstream/deltas';

/** One role's model in a snapshot. */
export interface SnapshotModel {
  version: Omit<NewModelVersion, 'role'>;
  artifact: Uint8Array;
  /** The version it descends from. */
  parentVersion: number;
  /** Its lineage's key (see lineage.ts): it becomes production only if production is still of this lineage (nobody promoted another meanwhile). */
  lineage: string;
  /** False while the guardrail holds publishing back: the snapshot is kept, but not served. */
  promote: boolean;
}

export interface SnapshotInput {
  updater: string;
  topic: string;
  offsets: Offsets;
  examples: number;
  /** The example builder's and learner's state, as JSON. */
  state: unknown;
  models: Partial<Record<ModelRole, SnapshotModel>>;
}

export interface SavedSnapshot {
  snapshotId: number;
  versions: Partial<Record<ModelRole, ModelVersion>>;
  promoted: ModelRole[];
  /** Roles whose production version changed to one outside this lineage: the updater starts over from it. */
  superseded: ModelRole[];
}

export interface StoredSnapshot {
  snapshotId: number;
  versions: Partial<Record<ModelRole, number>>;
  topic: string;
  offsets: Offsets;
  examples: number;
  state: unknown;
}

/**
 * Online updaters' checkpoints: the model versions (registered in the
 * registry), the Kafka offsets they cover and the updater's state, written
 * in one transaction, so whatever a restart finds is consistent.
 */
export class SnapshotStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly registry: ModelRegistry,
  ) {}

  async save(input: SnapshotInput): Promise<SavedSnapshot> {
    return this.registry.transaction(async (tx) => {
      const versions: SavedSnapshot['versions'] = {};
      const promoted: ModelRole[] = [];
      const superseded: ModelRole[] = [];
      for (const [role, model] of Object.entries(input.models) as [ModelRole, SnapshotModel][]) {
        const version = await tx.register({ ...model.version, role, parentVersion: model.parentVersion }, model.artifact);
        versions[role] = version;
        const production = await tx.productionForUpdate(role);
        if (production && lineageKey(production) !== model.lineage) superseded.push(role);
        else if (model.promote) {
          await tx.setProduction(role, version.versionId);
          promoted.push(role);
        }
      }
      const { rows } = await tx.client.query<{ snapshot_id: string }>(
        `INSERT INTO online_snapshots (updater, recall_version, ranking_version, topic, offsets, examples, state)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING snapshot_id`,
        [
          input.updater,
          versions.recall?.versionId ?? null,
          versions.ranking?.versionId ?? null,
          input.topic,
          input.offsets,
          input.examples,
          Buffer.from(JSON.stringify(input.state)),
        ],
      );
      return { snapshotId: Number(rows[0]!.snapshot_id), versions, promoted, superseded };
    });
  }

  async latest(updater: string): Promise<StoredSnapshot | undefined> {
    const { rows } = await this.pool.query(
      `SELECT snapshot_id, recall_version, ranking_version, topic, offsets, examples, state
         FROM online_snapshots WHERE updater = $1 ORDER BY snapshot_id DESC LIMIT 1`,
      [updater],
    );
    const row = rows[0];
    if (!row) return undefined;
    const versions: StoredSnapshot['versions'] = {};
    if (row.recall_version !== null) versions.recall = Number(row.recall_version);
    if (row.ranking_version !== null) versions.ranking = Number(row.ranking_version);
    return {
      snapshotId: Number(row.snapshot_id),
      versions,
      topic: row.topic,
      offsets: row.offsets,
      examples: Number(row.examples),
      state: JSON.parse((row.state as Buffer).toString('utf8')),
    };
  }
}
