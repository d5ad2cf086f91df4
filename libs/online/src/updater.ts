import type { Kafka, KafkaMessage } from 'kafkajs';
import type pg from 'pg';
import type { Offsets } from '@recstream/deltas';
import { selectBackend, type BackendName, type RecModel } from '@recstream/models';
import { DEFAULT_HTTP_OPTIONS, HttpService, NonRetriableError, createMetricsRegistry, type Logger, type RedisClient } from '@recstream/platform';
import { ErasureWatcher, type Erasure } from '@recstream/privacy';
import { ModelRegistry, type ModelVersion } from '@recstream/registry';
import { MODEL_ROLES, type ModelRole } from '@recstream/schemas';
import { ConsumerRunner, type ChunkContext } from '@recstream/streams';
import { ExampleBuilder, type ExampleBuilderState } from './examples/example-builder.js';
import type { GuardrailStatus } from './guardrail.js';
import { GuardrailReporter } from './guardrail-reporter.js';
import { OnlineLearner, type LearnerModel, type LearnerState } from './learner.js';
import { LineageTracker } from './lineage-tracker.js';
import { createUpdaterMetrics, type UpdaterMetrics } from './metrics.js';
import { DEFAULT_ONLINE_UPDATER_OPTIONS, type OnlineUpdaterOptions } from './options.js';
import { composeSnapshotModel, type SnapshotRun } from './snapshot-composition.js';
import { DeltaPublisher } from './delta-publisher.js';
import { PeerExchange } from './peer-exchange.js';
import { SnapshotStore, type SavedSnapshot, type SnapshotModel } from './snapshots.js';
import { StreamApplier } from './stream-applier.js';

export interface OnlineUpdaterDeps {
  kafka: Kafka;
  /** Owned by the caller, who closes it after `close()`. */
  redis: RedisClient;
  /** Owned by the caller, who ends it after `close()`. */
  pool: pg.Pool;
  logger: Logger;
}

/** What a snapshot keeps besides the models. */
interface UpdaterState {
  builder: ExampleBuilderState;
  learner: LearnerState;
  /** With `followPeers`: the last peer log entry the models include. */
  peerCursor?: string;
}

/** A snapshot as captured, before it is written. */
interface CapturedSnapshot {
  offsets: Offsets;
  state: UpdaterState;
  /** Rows erasures removed per role, as counted at the capture. */
  erasedRows: Map<ModelRole, number>;
  models: Partial<Record<ModelRole, SnapshotModel>>;
  examples: number;
}

/** What the updater has done, for operators and tests. */
export interface UpdaterStatus {
  examples: number;
  positions: Offsets;
  versions: Partial<Record<ModelRole, number>>;
  guardrail: Partial<Record<ModelRole, GuardrailStatus>>;
  pending: number;
  /** The latest erasure honoured (null: none recorded). */
  throughErasureId: number | null;
}

/**
 * The online updater: a Kafka consumer group on the interaction stream that
 * builds labelled examples (ExampleBuilder), applies them to the production
 * models (OnlineLearner), publishes touched rows to serving every
 * `publishIntervalMs` (DeltaChannel), and snapshots a new model version
 * every `snapshotIntervalMs` together with the offsets it covers and its
 * state (SnapshotStore). A restart loads the latest snapshot and seeks to
 * its offsets, so no example is applied twice or skipped. While the
 * holdout guardrail is tripped it keeps consuming and training but
 * publishes and promotes nothing.
 *
 * Erasures reach it through an ErasureWatcher: it forgets the user's rows
 * in every model and the user's examples, history and open exposures, and
 * from then on skips every event of that user id (as offline training
 * drops an erased id for good), so events still in Kafka are not learned
 * again. The next snapshot's lineage records the erasures it honours.
 *
 * With `learner.followPeers`, the instances of one name share one model
 * through a PeerExchange: each takes in the others' increments before it
 * consumes and between chunks, and a snapshot records how far it has, so
 * whichever instance resumes from it, or serves it, has every instance's
 * learning (docs/decisions/online-updater-instances.md).
 */
export class OnlineUpdater {
  readonly options: OnlineUpdaterOptions;
  readonly http: HttpService;
  private readonly registry: ModelRegistry;
  private readonly snapshots: SnapshotStore;
  private readonly deltas: DeltaPublisher;
  private readonly runner: ConsumerRunner;
  private readonly metrics: UpdaterMetrics;
  private readonly logger: Logger;
  private learner?: OnlineLearner;
  private backend?: BackendName;
  private readonly lineages: LineageTracker;
  private applier?: StreamApplier;
  /** Offsets the last snapshot covered: the next one's `offsets_from`. */
  private snapshotOffsets: Offsets = {};
  private readonly guardrails: GuardrailReporter;
  private readonly erasures: ErasureWatcher;
  private readonly peers?: PeerExchange;
  /** Partitions the group assigned this instance: the only ones it commits. */
  private assigned: number[] = [];
  /** Rows forgotten per role since the version the model was loaded from or last snapshotted as. */
  private readonly erasedRows = new Map<ModelRole, number>();
  private consuming = false;
  private timers: NodeJS.Timeout[] = [];
  private snapshotting?: Promise<SavedSnapshot | undefined>;
  private closing?: Promise<void>;

  constructor(
    private readonly deps: OnlineUpdaterDeps,
    options: Partial<OnlineUpdaterOptions> = {},
  ) {
    this.options = { ...DEFAULT_ONLINE_UPDATER_OPTIONS, groupId: options.name ?? DEFAULT_ONLINE_UPDATER_OPTIONS.groupId, ...options };
    const o = this.options;
    if (o.roles.length === 0) throw new NonRetriableError(`roles must name at least one of ${MODEL_ROLES.join(', ')}`);
    this.logger = deps.logger;
    this.registry = new ModelRegistry(deps.pool);
    this.snapshots = new SnapshotStore(deps.pool, this.registry);
    this.erasures = new ErasureWatcher({ pool: deps.pool, logger: deps.logger, onErased: (erasures) => this.forget(erasures) }, o.erasures);
    const { groupId, chunkSize, sessionTimeoutMs, heartbeatIntervalMs, maxFetchWaitMs } = o;
    // Positions live in snapshots; the group's commits only follow them (commitGroupOffsets), hence commitEachChunk off.
    const consumer = { groupId, topics: [o.topic], fromBeginning: o.startFrom === 'earliest', chunkSize, commitEachChunk: false, sessionTimeoutMs, heartbeatIntervalMs, maxFetchWaitMs };
    this.runner = new ConsumerRunner(deps.kafka, deps.logger, consumer, {
      handleChunk: (chunk, context) => this.handleChunk(chunk, context),
      onAssigned: (assignment) => this.onAssigned(assignment[o.topic] ?? []),
    });
    const metricsRegistry = createMetricsRegistry('online-updater');
    this.metrics = createUpdaterMetrics(metricsRegistry);
    this.guardrails = new GuardrailReporter(this.metrics, deps.logger, o.learner.guardrail.margin);
    this.lineages = new LineageTracker(this.registry, this.metrics, deps.logger, o.sparseLearningRates);
    const learner = () => this.requireLearner();
    if (o.learner.followPeers) {
      this.peers = new PeerExchange(deps.redis, o.deltas, o.name, { learner, applier: () => this.requireApplier(), lineages: this.lineages }, this.metrics, deps.logger, '0');
    }
    const source = { learner, mayPublish: (role: ModelRole) => this.guardrailHolds(role), peers: this.peers };
    this.deltas = new DeltaPublisher(deps.redis, o.deltas, this.lineages, source, this.metrics, deps.logger);
    this.http = new HttpService({ ...DEFAULT_HTTP_OPTIONS, port: o.port, host: o.host, logger: deps.logger, metricsRegistry, ready: () => this.ready });
  }

  get ready(): boolean {
    return this.runner.joined && !this.closing;
  }

  /** Resolves with the error once its consumer has crashed for good (ConsumerRunner.failed): the process should exit and be restarted. */
  get failed(): Promise<Error> {
    return this.runner.failed;
  }

  /** Loads the latest snapshot (or the production models), joins the group, starts publishing and snapshotting, then listens; resolves with the HTTP port. */
  async start(): Promise<number> {
    this.backend = await selectBackend();
    await this.restore();
    // Before consuming: the first check hands over every erasure ever recorded, so no erased user's event is applied.
    await this.erasures.start(null);
    // Before consuming too: events other instances (this one before a restart included) have shared are not trained on again.
    await this.peers?.catchUp();
    const o = this.options;
    await this.runner.connect();
    await this.runner.run();
    this.consuming = true;
    const tickMs = Math.min(o.publishIntervalMs, o.flushAfterMs ?? Infinity);
    this.timers.push(setInterval(() => void this.tick(), tickMs));
    this.timers.push(setInterval(() => void this.snapshot(), o.snapshotIntervalMs));
    for (const timer of this.timers) timer.unref();
    return (await this.http.listen()).port;
  }

  status(): UpdaterStatus {
    const learner = this.requireLearner();
    const versions: UpdaterStatus['versions'] = {};
    const guardrail: UpdaterStatus['guardrail'] = {};
    for (const [role, lineage] of this.lineages.entries()) {
      versions[role] = lineage.current.versionId;
      const status = learner.guardrail(role);
      if (status) guardrail[role] = status;
    }
    return {
      examples: learner.examples,
      positions: this.applier?.offsets() ?? {},
      versions,
      guardrail,
      pending: learner.pending,
      throughErasureId: this.erasures.throughErasureId,
    };
  }

  /** The model being updated for `role`, as it is now (for tests and diagnostics). */
  model(role: ModelRole): RecModel | undefined {
    return this.learner?.model(role);
  }

  /** Publishes the rows touched since the last delta, for every role whose guardrail holds. Concurrent calls share one run. */
  publish(): Promise<void> {
    return this.deltas.publish();
  }

  /**
   * Registers the models as new versions with the offsets they cover and
   * the updater's state, in one transaction; promotes them where the
   * guardrail holds and production is still of their lineage.
   */
  snapshot(): Promise<SavedSnapshot | undefined> {
    this.snapshotting ??= this.saveSnapshot()
      .catch((error: unknown) => {
        this.metrics.snapshots.inc({ outcome: 'failed' });
        this.logger.error({ err: error }, 'snapshot failed; the next one is tried at the next interval');
        return undefined;
      })
      .finally(() => (this.snapshotting = undefined));
    return this.snapshotting;
  }

  /**
   * Stops fetching, publishes and snapshots what it has applied (unless
   * `force`: then a restart replays from the last snapshot), leaves the
   * group and releases its models.
   */
  close(force = false): Promise<void> {
    this.closing ??= (async () => {
      for (const timer of this.timers) clearInterval(timer);
      await this.http.close();
      await this.erasures.close();
      await Promise.all([this.deltas.settled(), this.snapshotting]);
      if (!force && this.consuming) {
        // Paused rather than stopped: the group must still be joined to take the snapshot's offsets as its commit.
        this.runner.pause([this.options.topic]);
        await this.publish();
        await this.snapshot();
      }
      await this.runner.disconnect();
      this.learner?.dispose();
    })();
    return this.closing;
  }

  private async restore(): Promise<void> {
    const o = this.options;
    const stored = await this.snapshots.latest(o.name);
    const state = stored?.state as UpdaterState | undefined;
    const models: Partial<Record<ModelRole, LearnerModel>> = {};
    for (const role of o.roles) {
      const loaded = await this.lineages.load(role, stored?.versions[role]);
      if (loaded) models[role] = loaded;
    }
    if (Object.keys(models).length === 0) throw new NonRetriableError(`no production version for ${o.roles.join(' or ')}; train and promote one first`);
    if (stored && stored.topic !== o.topic) {
      this.logger.warn({ snapshotTopic: stored.topic, topic: o.topic }, 'the latest snapshot read another topic; its offsets are not used');
    } else if (stored) {
      this.snapshotOffsets = stored.offsets;
    }
    this.learner = new OnlineLearner(models, o.learner, state?.learner);
    this.applier = new StreamApplier(new ExampleBuilder(o.examples, state?.builder), this.learner, this.metrics, o.maxFutureSkewMs, this.snapshotOffsets);
    if (this.peers) this.peers.cursor = state?.peerCursor ?? '0';
    this.logger.info({ snapshot: stored?.snapshotId ?? null, offsets: stored?.offsets ?? {}, examples: this.learner.examples }, 'online updater state restored');
  }

  private onAssigned(partitions: number[]): void {
    this.assigned = partitions;
    // The group's committed offsets may trail the last snapshot (a crash between the two commits): positions are the truth.
    for (const partition of partitions) {
      const offset = this.applier?.position(partition);
      if (offset !== undefined) this.runner.seek(this.options.topic, partition, offset);
    }
    this.logger.info({ partitions, positions: this.applier?.offsets() }, 'partitions assigned');
  }

  private async handleChunk(chunk: KafkaMessage[], { partition, highWatermark }: ChunkContext): Promise<void> {
    const applier = this.requireApplier();
    applier.apply(partition, chunk);
    const position = applier.position(partition) ?? highWatermark;
    this.metrics.lag.set({ partition }, Math.max(0, Number(BigInt(highWatermark) - BigInt(position))));
    await this.tick();
  }

  /** Trains a partial batch that has waited `flushAfterMs`, and publishes when the interval is up. */
  private async tick(): Promise<void> {
    if (!this.applier || this.closing) return;
    await this.peers?.catchUp();
    this.applier.flushIfDue(this.options.flushAfterMs);
    if (this.deltas.sinceLast >= this.options.publishIntervalMs) await this.publish();
  }

  /** Whether `role` may publish and be promoted, reporting its guardrail on the way. */
  private guardrailHolds(role: ModelRole): boolean {
    return this.guardrails.holds(role, this.requireLearner().guardrail(role));
  }

  private async saveSnapshot(): Promise<SavedSnapshot | undefined> {
    const peers = this.peers;
    // With peers, publishing waits until the snapshot's own cut is shared, so that cut ends exactly at its offsets.
    return this.store(peers ? await this.deltas.exclusive(() => this.captureWithPeers(peers)) : this.capture());
  }

  /** Captures the snapshot once caught up with the peers, and shares what the models learned since the last cut at the same instant. */
  private async captureWithPeers(peers: PeerExchange): Promise<CapturedSnapshot> {
    // Every delta up to these was shared before it was published: once caught up, the models include them all, whoever published them.
    const included = await this.deltas.latestIds();
    await peers.catchUp();
    for (const [role, lineage] of this.lineages.entries()) lineage.deltaId = included[role] ?? lineage.deltaId;
    const captured = this.capture();
    await peers.share();
    return captured;
  }

  /** Everything the snapshot holds, captured at one instant, between two applied chunks. */
  private capture(): CapturedSnapshot {
    const learner = this.requireLearner();
    const o = this.options;
    const offsets = this.requireApplier().offsets();
    const state: UpdaterState = { builder: this.requireApplier().builder.exportState(), learner: learner.exportState(), peerCursor: this.peers?.cursor };
    const throughErasureId = this.erasures.throughErasureId;
    const erasedRows = new Map(this.erasedRows);
    const run: SnapshotRun = {
      updater: o.name,
      topic: o.topic,
      codeVersion: o.codeVersion,
      backend: this.backend,
      learner: o.learner,
      offsetsFrom: this.snapshotOffsets,
      offsets,
      examples: learner.examples,
      throughErasureId,
    };
    const models: Partial<Record<ModelRole, SnapshotModel>> = {};
    for (const [role, lineage] of this.lineages.entries()) {
      models[role] = composeSnapshotModel(run, {
        lineage,
        model: learner.model(role)!,
        status: learner.guardrail(role),
        promote: this.guardrailHolds(role),
        sparseLearningRate: o.sparseLearningRates[role] ?? null,
        erasedRows: erasedRows.get(role) ?? 0,
      });
    }
    return { offsets, state, erasedRows, models, examples: learner.examples };
  }

  private async store({ offsets, state, erasedRows, models, examples }: CapturedSnapshot): Promise<SavedSnapshot> {
    const o = this.options;
    const saved = await this.snapshots.save({ updater: o.name, topic: o.topic, offsets, examples, state, models });
    this.snapshotOffsets = offsets;
    for (const [role, rows] of erasedRows) this.erasedRows.set(role, (this.erasedRows.get(role) ?? 0) - rows);
    for (const [role, version] of Object.entries(saved.versions) as [ModelRole, ModelVersion][]) {
      this.lineages.advance(role, version);
      const outcome = saved.superseded.includes(role) ? 'superseded' : saved.promoted.includes(role) ? 'promoted' : 'held';
      this.metrics.snapshots.inc({ outcome });
    }
    this.logger.info({ snapshot: saved.snapshotId, versions: Object.fromEntries(Object.entries(saved.versions).map(([role, version]) => [role, version.versionId])), promoted: saved.promoted, offsets }, 'snapshot saved');
    await this.commitGroupOffsets(offsets);
    for (const role of saved.superseded) await this.rebase(role);
    return saved;
  }

  /** The group's committed offsets follow snapshots, for lag dashboards, on the partitions this instance reads; resuming never relies on them. */
  private async commitGroupOffsets(offsets: Offsets): Promise<void> {
    try {
      const owned = Object.entries(offsets).filter(([partition]) => this.assigned.includes(Number(partition)));
      await this.runner.commit(owned.map(([partition, offset]) => ({ topic: this.options.topic, partition: Number(partition), offset })));
    } catch (error) {
      this.logger.warn({ err: error }, 'committing offsets to the consumer group failed; the snapshot holds them');
    }
  }

  /** Another lineage was promoted for `role` (a new offline version): update that one from here on. */
  private async rebase(role: ModelRole): Promise<void> {
    const models = await this.lineages.rebase(role);
    if (!models) return;
    const learner = this.requireLearner();
    learner.replace(role, models);
    // A version registered before an erasure may still hold the user's rows.
    this.erasedRows.set(role, learner.forget(this.requireApplier().erased)[role] ?? 0);
  }

  /** Forgets newly erased users everywhere the updater keeps them; runs between two applied chunks. */
  private forget(erasures: Erasure[]): void {
    const userIds = new Set(erasures.map((erasure) => erasure.userId));
    this.requireApplier().forget(userIds);
    const removed = this.requireLearner().forget(userIds);
    for (const [role, rows] of Object.entries(removed) as [ModelRole, number][]) this.erasedRows.set(role, (this.erasedRows.get(role) ?? 0) + rows);
    this.metrics.erasures.inc(erasures.length);
    // Erasure ids only: the log must not carry the ids it was asked to forget.
    this.logger.info({ erasures: erasures.map((erasure) => erasure.erasureId), rowsRemoved: removed }, 'erased users forgotten');
  }

  private requireLearner(): OnlineLearner {
    if (!this.learner) throw new NonRetriableError('the online updater has not started');
    return this.learner;
  }

  private requireApplier(): StreamApplier {
    if (!this.applier) throw new NonRetriableError('the online updater has not started');
    return this.applier;
  }
}
