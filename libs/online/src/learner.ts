import { NonRetriableError } from '@recstream/platform';
import { addIncrement, deltaIncrement, deserializeModel, encodeRows, forgetUsers, hash32, readsModelFeatures, serializeModel, type ModelDelta, type RecModel, type TrainStepOptions } from '@recstream/models';
import type { ModelRole } from '@recstream/schemas';
import type { Example } from './examples/example-builder.js';
import { Guardrail, type GuardrailOptions, type GuardrailStatus } from './guardrail.js';

export interface LearnerOptions {
  /** Examples per training step (and per holdout scoring batch). */
  batchSize: number;
  /** The ranking model's dense parameters take one step every this many training steps (0: never); the rest only move embedding rows. */
  denseEvery: number;
  /** Learning rate of those dense steps (plain SGD, so a restart loses no optimizer state). */
  denseLearningRate: number;
  /** Share of users held back from training to compare the online model with its parent on. */
  holdoutFraction: number;
  /**
   * Several instances share one model: each delta also carries its
   * increment (what this copy learned since its last one), and other
   * copies' increments are added to this one (docs/decisions/online-updater-instances.md).
   */
  followPeers: boolean;
  guardrail: GuardrailOptions;
}

/** Rows and dense parameters changed since the last confirmed one, as `pendingDelta` and `pendingIncrement` cut them. */
export interface Pending {
  delta: ModelDelta;
  /** Call once published: the next one starts from here. Until then the next one includes these changes again. */
  confirm(): void;
}

/** A model the learner updates, and the version it is compared with on the holdout slice. */
export interface LearnerModel {
  model: RecModel;
  /** The version the online lineage started from; without it there is no guardrail for the role. */
  parent?: RecModel;
}

/** Examples buffered but not yet trained on, and the step counters: what a snapshot must keep besides the models. */
export interface LearnerState {
  buffers: Partial<Record<ModelRole, Example[]>>;
  steps: Partial<Record<ModelRole, number>>;
  examples: number;
}

/** Where the last confirmed delta of one kind was cut. */
interface Cursor {
  /** Per table, the mark it was taken at. */
  marks: Map<string, number>;
  /** The dense version it carried. */
  dense: number;
}

interface RoleState extends LearnerModel {
  buffer: Example[];
  holdout: Example[];
  guardrail?: Guardrail;
  steps: number;
  /** Bumped by each dense step; a delta carries the dense parameters when it moved since the last one. */
  denseVersion: number;
  /** The last delta published to serving. */
  served: Cursor;
  /** With `followPeers`: the model as the other copies have it from this one (its increments and theirs), and the last increment shared. */
  shared?: { model: RecModel; cursor: Cursor };
}

function disposeModels(state: RoleState): void {
  state.model.dispose();
  state.parent?.dispose();
  state.shared?.model.dispose();
}

function currentMarks(model: RecModel): Map<string, number> {
  return new Map([...model.tables()].map(([name, table]) => [name, table.mark()]));
}

/** Rows this copy's training touched after `cursor`, and the dense parameters if they moved, with the cursor they bring it to; undefined when nothing changed. */
function changedSince(state: RoleState, cursor: Cursor): { delta: ModelDelta; cursor: Cursor } | undefined {
  const delta: ModelDelta = { tables: {}, dense: {} };
  const marks = new Map<string, number>();
  for (const [name, table] of state.model.tables()) {
    marks.set(name, table.mark());
    const rows = table.touchedSince(cursor.marks.get(name) ?? 0);
    if (rows.ids.length > 0) delta.tables[name] = rows;
  }
  if (state.denseVersion !== cursor.dense) delta.dense = state.model.toArtifact().dense;
  if (Object.keys(delta.tables).length === 0 && Object.keys(delta.dense).length === 0) return undefined;
  return { delta, cursor: { marks, dense: state.denseVersion } };
}

/** Whether a user belongs to the held-back slice: a hash of the id, so every process and restart agrees. */
export function isHoldoutUser(userId: string, fraction: number): boolean {
  return hash32(`holdout:${userId}`) % 10_000 < fraction * 10_000;
}

/**
 * Applies labelled examples to the production models in fixed-size steps:
 * recall learns from positives and sampled negatives, ranking from
 * everything (exposure negatives too). Only touched embedding rows move,
 * plus the ranking model's dense parameters every `denseEvery` steps.
 * Holdout users' examples are scored instead, by the model and its parent,
 * for the guardrail. Steps are cut by example count alone, so the same
 * stream trains the same models whether or not it was interrupted.
 */
export class OnlineLearner {
  private readonly roles = new Map<ModelRole, RoleState>();
  private learned: number;

  constructor(
    models: Partial<Record<ModelRole, LearnerModel>>,
    private readonly options: LearnerOptions,
    state?: LearnerState,
  ) {
    for (const [role, entry] of Object.entries(models) as [ModelRole, LearnerModel][]) {
      this.roles.set(role, {
        ...entry,
        buffer: [...(state?.buffers[role] ?? [])],
        holdout: [],
        guardrail: entry.parent && new Guardrail(options.guardrail),
        steps: state?.steps[role] ?? 0,
        ...this.startCursors(entry.model),
      });
    }
    this.learned = state?.examples ?? 0;
  }

  /** The roles being updated. */
  get modelRoles(): ModelRole[] {
    return [...this.roles.keys()];
  }

  model(role: ModelRole): RecModel | undefined {
    return this.roles.get(role)?.model;
  }

  /** Examples taken for training (not held out) since the lineage began. */
  get examples(): number {
    return this.learned;
  }

  /** Training steps taken per role, since the lineage began. */
  steps(role: ModelRole): number {
    return this.roles.get(role)?.steps ?? 0;
  }

  /** Examples waiting for a full batch. */
  get pending(): number {
    let count = 0;
    for (const state of this.roles.values()) count += state.buffer.length;
    return count;
  }

  /** Routes examples to each role's training or holdout buffer, training every full batch. */
  learn(examples: readonly Example[]): void {
    const readsFeatures = new Map([...this.roles].map(([role, state]) => [role, readsModelFeatures(state.model.spec)]));
    for (const example of examples) {
      const holdout = isHoldoutUser(example.userId, this.options.holdoutFraction);
      if (!holdout) this.learned++;
      for (const [role, state] of this.roles) {
        if (role === 'recall' ? example.rankingOnly : !example.exposed && readsFeatures.get(role)) continue;
        (holdout ? state.holdout : state.buffer).push(example);
      }
    }
    this.drain(this.options.batchSize);
  }

  /** Trains on and scores whatever is buffered, full batch or not (e.g. when examples have waited too long). */
  flush(): void {
    this.drain(1);
  }

  guardrail(role: ModelRole): GuardrailStatus | undefined {
    return this.roles.get(role)?.guardrail?.status();
  }

  /**
   * Rows (and dense parameters) changed by this copy's training since the
   * last confirmed delta of `role`, as serving applies them (whole rows), or
   * undefined when nothing changed.
   */
  pendingDelta(role: ModelRole): Pending | undefined {
    const state = this.roles.get(role);
    if (!state) return undefined;
    const pending = changedSince(state, state.served);
    return pending && { delta: pending.delta, confirm: () => (state.served = pending.cursor) };
  }

  /**
   * With `followPeers`: what this copy's training added to `role` since the
   * last confirmed increment, for the other copies to add to theirs
   * (`addPeerIncrement`); undefined when nothing changed.
   */
  pendingIncrement(role: ModelRole): Pending | undefined {
    const state = this.roles.get(role);
    const shared = state?.shared;
    if (!state || !shared) return undefined;
    const pending = changedSince(state, shared.cursor);
    if (!pending) return undefined;
    const increment = deltaIncrement(shared.model, pending.delta);
    return {
      delta: increment,
      confirm: () => {
        shared.cursor = pending.cursor;
        // Added rather than assigned: increments of other copies taken in meanwhile are in the shared model already.
        addIncrement(shared.model, increment);
      },
    };
  }

  /** Adds another copy's increment (see `pendingIncrement`) to `role`'s model; this copy does not publish those rows again. */
  addPeerIncrement(role: ModelRole, increment: ModelDelta): void {
    const state = this.roles.get(role);
    if (!state?.shared) throw new NonRetriableError(`the learner follows no peers for ${role}`);
    addIncrement(state.model, increment);
    addIncrement(state.shared.model, increment);
  }

  /**
   * Forgets erased users: their embedding rows in every model (the parents
   * too, which only score the holdout) and their buffered examples.
   * Returns the rows removed from each role's model.
   */
  forget(userIds: ReadonlySet<string>): Partial<Record<ModelRole, number>> {
    const removed: Partial<Record<ModelRole, number>> = {};
    for (const [role, state] of this.roles) {
      removed[role] = forgetUsers(state.model, userIds);
      for (const model of [state.parent, state.shared?.model]) if (model) forgetUsers(model, userIds);
      state.buffer = state.buffer.filter((example) => !userIds.has(example.userId));
      state.holdout = state.holdout.filter((example) => !userIds.has(example.userId));
    }
    return removed;
  }

  /** Swaps in another model for `role` (a newly promoted offline version); buffered examples stay. Disposes the old one. */
  replace(role: ModelRole, entry: LearnerModel): void {
    const state = this.roles.get(role);
    if (!state) throw new NonRetriableError(`the learner updates no ${role} model`);
    disposeModels(state);
    Object.assign(state, {
      ...entry,
      holdout: [],
      guardrail: entry.parent && new Guardrail(this.options.guardrail),
      ...this.startCursors(entry.model),
    });
  }

  /** Releases every model and parent; the learner is unusable afterwards. */
  dispose(): void {
    for (const state of this.roles.values()) disposeModels(state);
  }

  exportState(): LearnerState {
    const state: LearnerState = { buffers: {}, steps: {}, examples: this.learned };
    for (const [role, entry] of this.roles) {
      state.buffers[role] = [...entry.buffer];
      state.steps[role] = entry.steps;
    }
    return state;
  }

  /** A loaded model has nothing to publish yet, and with `followPeers` it is shared as loaded: every copy of the lineage loads a version all copies hold. */
  private startCursors(model: RecModel): Pick<RoleState, 'denseVersion' | 'served' | 'shared'> {
    const start = (): Cursor => ({ marks: currentMarks(model), dense: 0 });
    return { denseVersion: 0, served: start(), shared: this.options.followPeers ? { model: deserializeModel(serializeModel(model)), cursor: start() } : undefined };
  }

  private drain(minimum: number): void {
    const { batchSize } = this.options;
    for (const [role, state] of this.roles) {
      while (state.buffer.length >= minimum && state.buffer.length > 0) this.train(role, state, state.buffer.splice(0, batchSize));
      while (state.holdout.length >= minimum && state.holdout.length > 0) this.score(state, state.holdout.splice(0, batchSize));
    }
  }

  private train(role: ModelRole, state: RoleState, rows: Example[]): void {
    const { denseEvery, denseLearningRate } = this.options;
    // Recall's towers stay as trained offline: moving them would move every item vector in serving's ANN index.
    const denseStep = role === 'ranking' && denseEvery > 0 && (state.steps + 1) % denseEvery === 0;
    const options: Partial<TrainStepOptions> = { sparse: 'ids', ...(denseStep ? { dense: 'sgd', sgdLearningRate: denseLearningRate } : { dense: 'frozen' }) };
    state.model.trainStep(encodeRows(state.model.spec, rows), options);
    state.steps++;
    if (denseStep) state.denseVersion++;
  }

  private score(state: RoleState, rows: Example[]): void {
    if (!state.parent || !state.guardrail) return;
    const labels = Float32Array.from(rows, (row) => row.label);
    const online = state.model.score(encodeRows(state.model.spec, rows));
    const parent = state.parent.score(encodeRows(state.parent.spec, rows));
    state.guardrail.record(online, parent, labels);
  }
}
