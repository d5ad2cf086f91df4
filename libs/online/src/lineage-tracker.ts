import { lineageKey, onlineLineage } from '@recstream/deltas';
import { deserializeModel } from '@recstream/models';
import { NonRetriableError, type Logger } from '@recstream/platform';
import type { ModelRegistry, ModelVersion } from '@recstream/registry';
import type { ModelRole } from '@recstream/schemas';
import type { LearnerModel } from './learner.js';
import type { UpdaterMetrics } from './metrics.js';
import { modelForUpdating } from './models.js';
import type { RoleLineage } from './snapshot-composition.js';

/**
 * Which version each role's model is updated from, and its lineage: the
 * production version, or the latest snapshot of production's lineage when
 * there is one (a snapshot of another lineage means an offline version was
 * promoted since, and that one is updated instead).
 */
export class LineageTracker {
  private readonly lineages = new Map<ModelRole, RoleLineage>();

  constructor(
    private readonly registry: ModelRegistry,
    private readonly metrics: UpdaterMetrics,
    private readonly logger: Logger,
    private readonly sparseLearningRates: Partial<Record<ModelRole, number>>,
  ) {}

  entries(): IterableIterator<[ModelRole, RoleLineage]> {
    return this.lineages.entries();
  }

  /** Loads `role`'s model and its parent; undefined (and a warning) when the role has no production version. */
  async load(role: ModelRole, snapshotVersionId: number | undefined): Promise<LearnerModel | undefined> {
    const production = await this.registry.production(role);
    if (!production) {
      this.logger.warn({ role }, 'no production version to update; this role is skipped');
      return undefined;
    }
    const snapshotted = snapshotVersionId === undefined ? undefined : await this.registry.get(snapshotVersionId);
    const current = snapshotted && lineageKey(snapshotted) === lineageKey(production) ? snapshotted : production;
    const lineage = onlineLineage(current);
    const root = lineage ? await this.registry.get(lineage.root_version) : current;
    if (!root) throw new NonRetriableError(`version ${current.versionId}'s lineage names root version ${lineage?.root_version}, which is not in the registry`);
    const models = await this.loadModels(current, root);
    this.set(role, { current, root, deltaId: lineage?.delta_stream_id ?? null });
    this.logger.info({ role, version: current.versionId, root: root.versionId, resumed: current === snapshotted }, 'model loaded for online updating');
    return models;
  }

  /** Another lineage was promoted for `role`: starts a new lineage at production and returns its model, or undefined when none is in production. */
  async rebase(role: ModelRole): Promise<LearnerModel | undefined> {
    const production = await this.registry.production(role);
    if (!production) return undefined;
    const models = await this.loadModels(production, production);
    this.set(role, { current: production, root: production, deltaId: null });
    this.logger.warn({ role, version: production.versionId }, 'another version was promoted; online updating continues from it');
    return models;
  }

  /** A snapshot registered `version` as the lineage's latest. */
  advance(role: ModelRole, version: ModelVersion): void {
    this.lineages.get(role)!.current = version;
    this.metrics.version.set({ role }, version.versionId);
  }

  private set(role: ModelRole, lineage: RoleLineage): void {
    this.lineages.set(role, lineage);
    this.metrics.version.set({ role }, lineage.current.versionId);
  }

  private async loadModels(current: ModelVersion, root: ModelVersion): Promise<LearnerModel> {
    // Copies into plain Uint8Arrays: decoding slices its input, and a Buffer's slice shares memory.
    const model = modelForUpdating(new Uint8Array(await this.registry.loadArtifact(current.versionId)), this.sparseLearningRates[current.role]);
    const parent = deserializeModel(new Uint8Array(await this.registry.loadArtifact(root.versionId)));
    return { model, parent };
  }
}
