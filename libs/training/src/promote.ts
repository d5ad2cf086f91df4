import type pg from 'pg';
import { DEFAULT_GATES, type ModelRegistry, type ModelVersion, type PromotionGate, type PromotionResult } from '@recstream/registry';
import type { ModelKind, ModelRole } from '@recstream/schemas';
import { deserializeModel, forgetUsers, serializeModel } from '@recstream/models';
import { erasedUsers } from '@recstream/privacy';
import { modelScorer } from '@recstream/models';
import { evaluateOnDataset } from './evaluate.js';
import type { TrainResult } from './train.js';

export interface RegisterOptions {
  role: ModelRole;
  modelType: ModelKind;
  datasetVersion: string;
  codeVersion: string;
  config: Record<string, unknown>;
  gate?: PromotionGate;
}

export interface RegisterOutcome {
  version: ModelVersion;
  promotion: PromotionResult;
  /** The production version's gate metric on this version's test set, when there was one. */
  incumbentValue?: number;
}

/**
 * Registers a trained version and puts it through the promotion gate: the
 * production version of the role is evaluated on the same test set and
 * cases, and the new one replaces it only if it wins by the gate's margin.
 * Erased users' embedding rows are removed from `result.model` first (in
 * place), so no registered snapshot holds a user erased before it was
 * registered, even one trained on samples read before the erasure; the
 * lineage records the latest erasure the snapshot honours.
 */
export async function registerAndPromote(registry: ModelRegistry, pool: pg.Pool, result: TrainResult, options: RegisterOptions): Promise<RegisterOutcome> {
  const gate = options.gate ?? DEFAULT_GATES[options.role];
  const erased = await erasedUsers(pool);
  const erasedRows = forgetUsers(result.model, erased.userIds);
  const version = await registry.register(
    {
      role: options.role,
      modelType: options.modelType,
      datasetVersion: options.datasetVersion,
      codeVersion: options.codeVersion,
      backend: result.backend,
      metrics: { ...result.metrics },
      config: options.config,
      lineage: { erasures: { through_erasure_id: erased.throughErasureId, rows_removed: erasedRows } },
    },
    serializeModel(result.model),
  );
  const incumbent = await registry.production(options.role);
  let incumbentValue: number | undefined;
  if (incumbent) {
    const model = deserializeModel(await registry.loadArtifact(incumbent.versionId));
    try {
      const report = await evaluateOnDataset(pool, options.datasetVersion, modelScorer(model), result.index, { seed: Number(options.config.seed ?? 1) });
      incumbentValue = report[gate.metric as keyof typeof report];
    } finally {
      model.dispose();
    }
  }
  const promotion = await registry.promoteIfBetter(version.versionId, gate, incumbentValue);
  return { version, promotion, incumbentValue };
}
