import { lineageKey, type OnlineLineage, type Offsets } from '@recstream/deltas';
import { serializeModel, type BackendName, type RecModel } from '@recstream/models';
import type { ModelVersion } from '@recstream/registry';
import type { GuardrailStatus } from './guardrail.js';
import type { LearnerOptions } from './learner.js';
import type { SnapshotModel } from './snapshots.js';

/** Where one role's model stands in its lineage. */
export interface RoleLineage {
  /** The latest version of the lineage: what the model was loaded from, or the last snapshot. */
  current: ModelVersion;
  /** The version the lineage started from, the guardrail's comparison. */
  root: ModelVersion;
  /** The stream entry of the latest delta published. */
  deltaId: string | null;
}

/** What every model of one snapshot records alike. */
export interface SnapshotRun {
  updater: string;
  topic: string;
  codeVersion: string;
  backend?: BackendName;
  learner: LearnerOptions;
  /** Offsets the previous snapshot covered, and offsets this one covers. */
  offsetsFrom: Offsets;
  offsets: Offsets;
  examples: number;
  /** The latest erasure honoured (null: none recorded). */
  throughErasureId: number | null;
}

export interface RoleSnapshot {
  lineage: RoleLineage;
  model: RecModel;
  status: GuardrailStatus | undefined;
  /** Whether the guardrail lets the version be promoted. */
  promote: boolean;
  sparseLearningRate: number | null;
  /** Rows erasures removed from the model since its parent version. */
  erasedRows: number;
}

/**
 * One role's new model version as a snapshot registers it: the metrics,
 * config and lineage offline training would record (the erasures honoured
 * and the rows they removed included) plus the online lineage, which names
 * the root version and the offsets learned from.
 */
export function composeSnapshotModel(run: SnapshotRun, role: RoleSnapshot): SnapshotModel {
  const { lineage, model, status } = role;
  const online: OnlineLineage = {
    updater: run.updater,
    root_version: lineage.root.versionId,
    root_sha256: lineageKey(lineage.root),
    topic: run.topic,
    offsets_from: run.offsetsFrom,
    offsets: run.offsets,
    examples: run.examples,
    delta_stream_id: lineage.deltaId,
  };
  const metrics: Record<string, number> = { online_examples: run.examples };
  if (status && Number.isFinite(status.onlineAuc) && Number.isFinite(status.parentAuc)) {
    Object.assign(metrics, { holdout_auc: status.onlineAuc, parent_holdout_auc: status.parentAuc, holdout_examples: status.examples });
  }
  return {
    version: {
      modelType: model.kind,
      datasetVersion: lineage.current.datasetVersion ?? undefined,
      codeVersion: run.codeVersion,
      backend: run.backend,
      metrics,
      config: { ...lineage.current.config, online: { learner: run.learner, sparseLearningRate: role.sparseLearningRate } },
      lineage: { ...lineage.current.lineage, erasures: { through_erasure_id: run.throughErasureId, rows_removed: role.erasedRows }, online },
    },
    artifact: serializeModel(model),
    parentVersion: lineage.current.versionId,
    lineage: lineageKey(lineage.current),
    promote: role.promote,
  };
}
