import { createHash } from 'node:crypto';
import type pg from 'pg';
import { NonRetriableError } from '@recstream/platform';
import type { ModelKind, ModelRole } from '@recstream/schemas';
import { decidePromotion, type PromotionGate } from './gate.js';

export interface NewModelVersion {
  role: ModelRole;
  modelType: ModelKind;
  datasetVersion?: string;
  parentVersion?: number;
  codeVersion?: string;
  backend?: string;
  metrics?: Record<string, number>;
  config?: Record<string, unknown>;
  lineage?: Record<string, unknown>;
}

export interface ModelVersion extends Required<Omit<NewModelVersion, 'datasetVersion' | 'parentVersion' | 'codeVersion' | 'backend'>> {
  versionId: number;
  datasetVersion: string | null;
  parentVersion: number | null;
  codeVersion: string | null;
  backend: string | null;
  artifactBytes: number;
  artifactSha256: string;
  createdAt: Date;
}

export interface PromotionResult {
  promoted: boolean;
  reason: string;
  incumbentVersion: number | null;
}

/** Channel on which promotions are announced, with the role as payload. */
export const PROMOTION_CHANNEL = 'model_promoted';
const CHUNK_BYTES = 8 * 1024 * 1024;

/**
 * The model registry in Postgres: versions with their metrics and lineage,
 * artifacts stored in chunks, the production version per role, and every
 * promotion decision. Promotions are announced with NOTIFY so servers can
 * hot-swap without polling.
 */
export class ModelRegistry {
  constructor(private readonly pool: pg.Pool) {}

  async register(version: NewModelVersion, artifact: Uint8Array): Promise<ModelVersion> {
    return this.transaction((tx) => tx.register(version, artifact));
  }

  async get(versionId: number): Promise<ModelVersion | undefined> {
    const { rows } = await this.pool.query('SELECT * FROM model_versions WHERE version_id = $1', [versionId]);
    return rows[0] ? toVersion(rows[0]) : undefined;
  }

  /** The artifact's bytes, checked against the digest recorded at registration. */
  async loadArtifact(versionId: number): Promise<Buffer> {
    const version = await this.get(versionId);
    if (!version) throw new NonRetriableError(`model version ${versionId} does not exist`);
    const { rows } = await this.pool.query('SELECT data FROM model_artifact_chunks WHERE version_id = $1 ORDER BY seq', [versionId]);
    const artifact = Buffer.concat(rows.map((row) => row.data as Buffer));
    if (createHash('sha256').update(artifact).digest('hex') !== version.artifactSha256) {
      throw new NonRetriableError(`model version ${versionId}'s artifact does not match its digest; re-register it`);
    }
    return artifact;
  }

  async production(role: ModelRole): Promise<ModelVersion | undefined> {
    const { rows } = await this.pool.query(
      'SELECT v.* FROM model_production p JOIN model_versions v USING (version_id) WHERE p.role = $1',
      [role],
    );
    return rows[0] ? toVersion(rows[0]) : undefined;
  }

  async list(role: ModelRole, limit = 20): Promise<ModelVersion[]> {
    const { rows } = await this.pool.query('SELECT * FROM model_versions WHERE role = $1 ORDER BY version_id DESC LIMIT $2', [role, limit]);
    return rows.map(toVersion);
  }

  /**
   * Applies the promotion gate: the candidate replaces the production version
   * of its role only if it beats it by the gate's margin on the same test set.
   * `incumbentValue` is the production version's metric on that test set, as
   * the caller measured it; the decision and the numbers are recorded.
   */
  async promoteIfBetter(candidateId: number, gate: PromotionGate, incumbentValue?: number): Promise<PromotionResult> {
    return this.transaction(async (tx) => {
      const { client } = tx;
      const candidate = (await client.query('SELECT * FROM model_versions WHERE version_id = $1', [candidateId])).rows[0];
      if (!candidate) throw new NonRetriableError(`model version ${candidateId} does not exist`);
      // Serialises concurrent promotions of one role.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`promote:${candidate.role}`]);
      const current = (await client.query('SELECT version_id FROM model_production WHERE role = $1', [candidate.role])).rows[0];
      const incumbentVersion: number | null = current ? Number(current.version_id) : null;
      if (incumbentVersion !== null && incumbentValue === undefined) {
        throw new NonRetriableError(`evaluate production version ${incumbentVersion} on the candidate's test set and pass its ${gate.metric}`);
      }
      const candidateValue = metricOf(candidate.metrics, gate.metric);
      const cases = gate.cases === undefined ? undefined : metricOf(candidate.metrics, gate.cases);
      const decision = decidePromotion(gate, candidateValue, incumbentVersion === null ? undefined : incumbentValue, cases);
      await client.query(
        `INSERT INTO model_promotions (role, candidate_version, incumbent_version, metric, candidate_value, incumbent_value, margin, promoted, reason)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [candidate.role, candidateId, incumbentVersion, gate.metric, candidateValue, incumbentValue ?? null, gate.margin, decision.promoted, decision.reason],
      );
      if (decision.promoted) await tx.setProduction(candidate.role, candidateId);
      return { ...decision, incumbentVersion };
    });
  }

  /** Makes a version production without a gate (rollbacks, online-updated snapshots that passed their guardrail). */
  async setProduction(versionId: number): Promise<void> {
    const version = await this.get(versionId);
    if (!version) throw new NonRetriableError(`model version ${versionId} does not exist`);
    await this.transaction((tx) => tx.setProduction(version.role, versionId));
  }

  /**
   * Runs `work` in one Postgres transaction: versions it registers, versions
   * it makes production and whatever else it writes with `tx.client` commit
   * together or not at all (an online updater's snapshot and the stream
   * offsets it covers). Promotions are announced at commit.
   */
  async transaction<T>(work: (tx: RegistryTransaction) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(new RegistryTransaction(client));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  }
}

/** Registry writes inside one transaction (see `ModelRegistry.transaction`). */
export class RegistryTransaction {
  constructor(readonly client: pg.PoolClient) {}

  async register(version: NewModelVersion, artifact: Uint8Array): Promise<ModelVersion> {
    const sha256 = createHash('sha256').update(artifact).digest('hex');
    const { rows } = await this.client.query(
      `INSERT INTO model_versions (role, model_type, dataset_version, parent_version, code_version, backend, metrics, config, lineage, artifact_bytes, artifact_sha256)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING *`,
      [
        version.role,
        version.modelType,
        version.datasetVersion ?? null,
        version.parentVersion ?? null,
        version.codeVersion ?? null,
        version.backend ?? null,
        version.metrics ?? {},
        version.config ?? {},
        version.lineage ?? {},
        artifact.byteLength,
        sha256,
      ],
    );
    const row = rows[0];
    for (let offset = 0, seq = 0; offset < artifact.byteLength; offset += CHUNK_BYTES, seq++) {
      const chunk = Buffer.from(artifact.buffer, artifact.byteOffset + offset, Math.min(CHUNK_BYTES, artifact.byteLength - offset));
      await this.client.query('INSERT INTO model_artifact_chunks (version_id, seq, data) VALUES ($1, $2, $3)', [row.version_id, seq, chunk]);
    }
    return toVersion(row);
  }

  /** The production version of `role` as of this transaction, locked until it ends so no promotion slips in between. */
  async productionForUpdate(role: ModelRole): Promise<ModelVersion | undefined> {
    const { rows } = await this.client.query(
      'SELECT v.* FROM model_production p JOIN model_versions v USING (version_id) WHERE p.role = $1 FOR UPDATE OF p',
      [role],
    );
    return rows[0] ? toVersion(rows[0]) : undefined;
  }

  async setProduction(role: string, versionId: number): Promise<void> {
    await this.client.query(
      `INSERT INTO model_production (role, version_id) VALUES ($1, $2)
       ON CONFLICT (role) DO UPDATE SET version_id = EXCLUDED.version_id, promoted_at = now()`,
      [role, versionId],
    );
    await this.client.query('SELECT pg_notify($1, $2)', [PROMOTION_CHANNEL, role]);
  }
}

interface VersionRow {
  version_id: string;
  role: ModelRole;
  model_type: ModelKind;
  dataset_version: string | null;
  parent_version: string | null;
  code_version: string | null;
  backend: string | null;
  metrics: Record<string, number>;
  config: Record<string, unknown>;
  lineage: Record<string, unknown>;
  artifact_bytes: string;
  artifact_sha256: string;
  created_at: Date;
}

function toVersion(row: VersionRow): ModelVersion {
  return {
    versionId: Number(row.version_id),
    role: row.role,
    modelType: row.model_type,
    datasetVersion: row.dataset_version,
    parentVersion: row.parent_version === null ? null : Number(row.parent_version),
    codeVersion: row.code_version,
    backend: row.backend,
    metrics: row.metrics,
    config: row.config,
    lineage: row.lineage,
    artifactBytes: Number(row.artifact_bytes),
    artifactSha256: row.artifact_sha256,
    createdAt: row.created_at,
  };
}

/** A stored metric as a number; one that is missing or was stored as null (JSON has no NaN) is NaN, never 0. */
function metricOf(metrics: Record<string, unknown> | null, name: string): number {
  const value = metrics?.[name];
  return value === null || value === undefined ? Number.NaN : Number(value);
}
