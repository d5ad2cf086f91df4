/**
 * Several online updater instances measured against one, without Kafka:
 * the same stream after a planted change of taste, split by user over
 * `instances` learners (as the consumer group splits partitions), each
 * training its own copy of the same start models, against one learner that
 * sees it all. Every copy's deltas are applied in publish order to a served
 * model, as serving applies them; with `peers`, every copy also adds the
 * other copies' increments to its own. Each window is scored before anybody
 * learns from it, so quality is measured on events not trained on.
 */
import { applyDelta, auc, createModel, deserializeModel, encodeRows, hash32, serializeModel, type RecModel } from '@recstream/models';
import type { InteractionEvent, ModelRole } from '@recstream/schemas';
import { ExampleBuilder } from '../src/examples/example-builder.js';
import { OnlineLearner, isHoldoutUser, type LearnerOptions } from '../src/learner.js';
import { modelForUpdating } from '../src/models.js';
import { DEFAULT_EXAMPLE_BUILDER_OPTIONS, DEFAULT_LEARNER_OPTIONS } from '../src/options.js';
import { hitRate, staticModel } from './offline-start.js';
import { TasteShiftWorld } from './taste-shift.js';

export interface InstancesExperimentOptions {
  instances: number;
  /** Partitions of the simulated topic, dealt to the instances in turn. */
  partitions: number;
  /** Windows after the shift; the first is left out of the averages (every model is equally lost there). */
  windows: number;
  actionsPerWindow: number;
  /** Events between two publishes, the stream's share of `publishIntervalMs`. */
  publishEvery: number;
  learner: LearnerOptions;
  /** The copies follow each other's increments (`followPeers`), as one shared model. */
  peers: boolean;
  /** Halfway through this window the last instance restarts from the first one's snapshot, as a restart that loads another instance's snapshot does (null: never). */
  resumeOnOtherCopyAt: number | null;
  /** Each role's online sparse learning rate. */
  sparseLearningRates: Record<ModelRole, number>;
  seed: number;
}

export const DEFAULT_INSTANCES_EXPERIMENT_OPTIONS: InstancesExperimentOptions = {
  instances: 2,
  partitions: 4,
  windows: 6,
  actionsPerWindow: 800,
  publishEvery: 200,
  learner: { ...DEFAULT_LEARNER_OPTIONS, batchSize: 128, denseEvery: 4 },
  peers: false,
  resumeOnOtherCopyAt: null,
  sparseLearningRates: { recall: 0.3, ranking: 0.5 },
  seed: 3,
};

/** Held-out quality, averaged over the windows after the first. */
export interface Quality {
  /** Recall: HR@10 of each click among 99 random items. */
  hitRate: number;
  /** Ranking: AUC of exposures clicked or not. */
  auc: number;
}

export interface InstancesReport {
  /** One instance reading every partition. */
  single: Quality;
  /** The start models with every instance's deltas applied in publish order: what serving follows. */
  served: Quality;
  /** The first instance's copy alone: what another instance resumes from, or serving loads when that copy is promoted. */
  oneCopy: Quality;
  /** What serving follows when, halfway through each window, one copy's snapshot is promoted (the copies in turn) and the deltas after it apply. */
  promoted: Quality;
}

const RANKING_SPEC = { contextFields: ['device', 'position'], historyLength: 0 };
const ROLES: readonly ModelRole[] = ['recall', 'ranking'];

interface Copy {
  builder: ExampleBuilder;
  learner: OnlineLearner;
}

function copyOf(start: Record<ModelRole, Uint8Array>, o: InstancesExperimentOptions, followPeers = false): Copy {
  const rates = o.sparseLearningRates;
  const models = { recall: { model: modelForUpdating(start.recall, rates.recall) }, ranking: { model: modelForUpdating(start.ranking, rates.ranking) } };
  return { builder: new ExampleBuilder(DEFAULT_EXAMPLE_BUILDER_OPTIONS), learner: new OnlineLearner(models, { ...o.learner, followPeers }) };
}

/** Exposures of a window labelled by whether their list's click chose them. */
function exposuresOf(events: readonly InteractionEvent[]) {
  const clicked = new Set(events.filter((e) => e.type === 'click' && e.request_id).map((e) => `${e.request_id}|${e.item_id}`));
  return events
    .filter((e) => e.type === 'exposure')
    .map((e) => ({ userId: e.user_id, itemId: e.item_id, time: e.event_time, context: e.context, sequence: [], label: clicked.has(`${e.request_id}|${e.item_id}`) ? 1 : 0 }));
}

function quality(models: Record<ModelRole, RecModel>, events: readonly InteractionEvent[], catalogue: readonly string[]): Quality {
  // Holdout users are never trained on by any copy, so they say nothing about how copies differ.
  const trained = events.filter((e) => !isHoldoutUser(e.user_id, DEFAULT_LEARNER_OPTIONS.holdoutFraction));
  const exposures = exposuresOf(trained);
  const scores = models.ranking.score(encodeRows(models.ranking.spec, exposures));
  return {
    hitRate: hitRate(
      models.recall,
      trained.filter((e) => e.type === 'click'),
      catalogue,
    ),
    auc: auc(
      scores,
      exposures.map((e) => e.label),
    ),
  };
}

const mean = (scores: readonly Quality[]): Quality => ({
  hitRate: scores.reduce((sum, q) => sum + q.hitRate, 0) / scores.length,
  auc: scores.reduce((sum, q) => sum + q.auc, 0) / scores.length,
});

const modelsOf = (copy: Copy) => ({ recall: copy.learner.model('recall')!, ranking: copy.learner.model('ranking')! });

/** Publishes each copy's pending delta, in turn, to every follower's models, and its increment (with peers) to the other copies. */
function publish(copies: readonly Copy[], followers: readonly Record<ModelRole, RecModel>[]): void {
  for (const { learner } of copies) {
    for (const role of ROLES) {
      const pending = learner.pendingDelta(role);
      const increment = learner.pendingIncrement(role);
      for (const models of followers) if (pending) applyDelta(models[role], pending.delta);
      for (const peer of copies) if (increment && peer.learner !== learner) peer.learner.addPeerIncrement(role, increment.delta);
      pending?.confirm();
      increment?.confirm();
    }
  }
}

/** Serving loads a copy's snapshot (its published rows included: it snapshots right after a publish) in place of `served`. */
function promote(served: Record<ModelRole, RecModel>, copy: Copy): Record<ModelRole, RecModel> {
  for (const role of ROLES) served[role].dispose();
  const models = modelsOf(copy);
  return { recall: deserializeModel(serializeModel(models.recall)), ranking: deserializeModel(serializeModel(models.ranking)) };
}

/** Disposes `stopped` and starts another copy from `from`'s models, with no example builder state of its own partitions. */
function resume(stopped: Copy, from: Copy, o: InstancesExperimentOptions): Copy {
  stopped.learner.dispose();
  const models = modelsOf(from);
  return copyOf({ recall: serializeModel(models.recall), ranking: serializeModel(models.ranking) }, o, o.peers);
}

/** Start models: recall trained offline before the shift, ranking warmed on the same stretch by one learner. */
async function startModels(world: TasteShiftWorld, o: InstancesExperimentOptions): Promise<Record<ModelRole, Uint8Array>> {
  const recall = await staticModel(world, 6_000);
  const ranking = createModel('deepfm', RANKING_SPEC, { embeddingDim: 8, deepLayers: [16], seed: o.seed });
  const warm = copyOf({ recall: serializeModel(recall), ranking: serializeModel(ranking) }, o);
  for (const event of world.events(3_000, false)) warm.learner.learn(warm.builder.accept(0, event));
  warm.learner.flush();
  const start = { recall: serializeModel(recall), ranking: serializeModel(warm.learner.model('ranking')!) };
  recall.dispose();
  ranking.dispose();
  warm.learner.dispose();
  return start;
}

/** Runs the experiment on the same windows: one instance, the served merge of `instances` copies, serving with promotions, and the first copy alone. */
export async function measureInstances(options: Partial<InstancesExperimentOptions> = {}): Promise<InstancesReport> {
  const o = { ...DEFAULT_INSTANCES_EXPERIMENT_OPTIONS, ...options };
  const world = new TasteShiftWorld({ users: 100, seed: o.seed });
  const start = await startModels(world, o);
  const single = copyOf(start, o);
  const copies = Array.from({ length: o.instances }, () => copyOf(start, o, o.peers));
  const served = { recall: deserializeModel(start.recall), ranking: deserializeModel(start.ranking) };
  let promoted = { recall: deserializeModel(start.recall), ranking: deserializeModel(start.ranking) };
  const scores: Record<keyof InstancesReport, Quality[]> = { single: [], served: [], oneCopy: [], promoted: [] };
  const catalogue = world.catalogue(true);
  for (let w = 0; w < o.windows; w++) {
    const events = world.events(o.actionsPerWindow, true);
    if (w > 0) {
      scores.single.push(quality(modelsOf(single), events, catalogue));
      scores.served.push(quality(served, events, catalogue));
      scores.oneCopy.push(quality(modelsOf(copies[0]!), events, catalogue));
      scores.promoted.push(quality(promoted, events, catalogue));
    }
    for (let from = 0; from < events.length; from += o.publishEvery) {
      for (const event of events.slice(from, from + o.publishEvery)) {
        const partition = hash32(event.user_id) % o.partitions;
        const copy = copies[partition % o.instances]!;
        single.learner.learn(single.builder.accept(partition, event));
        copy.learner.learn(copy.builder.accept(partition, event));
      }
      publish(copies, [served, promoted]);
      if (from + o.publishEvery >= events.length / 2 && from < events.length / 2) {
        promoted = promote(promoted, copies[w % o.instances]!);
        if (w === o.resumeOnOtherCopyAt) copies.push(resume(copies.pop()!, copies[0]!, o));
      }
    }
    for (const copy of [single, ...copies]) copy.learner.flush();
    publish(copies, [served, promoted]);
  }
  for (const copy of [single, ...copies]) copy.learner.dispose();
  for (const role of ROLES) {
    served[role].dispose();
    promoted[role].dispose();
  }
  return { single: mean(scores.single), served: mean(scores.served), oneCopy: mean(scores.oneCopy), promoted: mean(scores.promoted) };
}
