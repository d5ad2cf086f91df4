import type pg from 'pg';
import { DEFAULT_GATES, type ModelRegistry, type ModelRole, type ModelVersion, type PromotionGate, type PromotionResult } from '@recstream/registry';
import { deserializeModel, serializeModel } from '@recstream/models';
import { modelScorer } from './encoder.js';
import { evaluateOnDataset } from './evaluate.js';
import type { TrainResult } from './train.js';

export interface RegisterOptions {
  role: ModelRole;
  modelType: string;
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
 */
export async function registerAndPromote(registry: ModelRegistry, pool: pg.Pool, result: TrainResult, options: RegisterOptions): Promise<RegisterOutcome> {
  const gate = options.gate ?? DEFAULT_GATES[options.role];
  const version = await registry.register(
    {
      role: options.role,
      modelType: options.modelType,
      datasetVersion: options.datasetVersion,
      codeVersion: options.codeVersion,
      backend: result.backend,
      metrics: { ...result.metrics },
      config: options.config,
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
