import type pg from 'pg';
import { APP_PORTS, DEFAULT_HTTP_OPTIONS, HttpService, createMetricsRegistry, isCluster, type HttpServiceOptions, type Logger, type RedisClient } from '@recstream/platform';
import { DEFAULT_FEATURE_NAMESPACE, ItemRowTracking, OnlineFeatureReader } from '@recstream/features';
import { DEFAULT_DELTA_CHANNEL_OPTIONS, DeltaChannel } from '@recstream/deltas';
import { DEFAULT_ERASURE_WATCHER_OPTIONS, type ErasureWatcherOptions } from '@recstream/privacy';
import { ModelRegistry } from '@recstream/registry';
import { createKafka, createRecordProducer, DEFAULT_PRODUCER_CLIENT, type KafkaClientOptions, type ProducerClient } from '@recstream/streams';
import { CatalogTracker, DEFAULT_CATALOG_TRACKER_OPTIONS, type Catalog, type CatalogTrackerOptions } from './catalog.js';
import { modelPins, type Experiment } from './experiments/experiment.js';
import { loadExperiments } from './experiments/load-experiments.js';
import type { Random } from './exploration.js';
import { DEFAULT_DROPPED_EXPOSURE_RECORDER_OPTIONS, DroppedExposureRecorder, type DroppedExposureRecorderOptions } from './dropped-exposures.js';
import { DEFAULT_EXPOSURE_LOG_OPTIONS, ExposureLog, type ExposureLogOptions } from './exposure-log.js';
import { createServingMetrics, registerItemRowsMetric } from './metrics.js';
import { DEFAULT_DELTA_FOLLOWER_OPTIONS, DeltaFollower, type DeltaFollowerOptions } from './models/delta-follower.js';
import { ServedErasures } from './models/erasures.js';
import { DEFAULT_MODEL_STORE_OPTIONS, ModelStore, type ModelStoreOptions } from './models/model-store.js';
import { DEFAULT_POPULARITY_OPTIONS, PopularityTracker, type Popularity, type PopularityOptions } from './popularity.js';
import { Recommender, type RecommenderOverrides } from './recommender.js';
import { Refreshing } from './refreshing.js';
import { registerServingRoutes } from './routes.js';

export interface ServingOptions {
  port: number;
  host: string;
  maxBodyBytes: number;
  /** Items returned when a request gives no `k`, and the most it may ask for. */
  defaultK: number;
  maxK: number;
  /** Namespace of the online feature store's keys (as the feature builder writes them). */
  featureNamespace: string;
  /** Keep item feature rows in process until Redis reports a change (ItemRowTracking); off, every request reads them. */
  trackItemRows: boolean;
  catalogRefreshMs: number;
  catalog: CatalogTrackerOptions;
  popularityRefreshMs: number;
  experimentsRefreshMs: number;
  popularity: PopularityOptions;
  models: ModelStoreOptions;
  exposures: ExposureLogOptions;
  /** The Kafka client exposures are produced with (docs/decisions/serving-request-path-cpu.md). */
  exposureProducerClient: ProducerClient;
  /** Where exposures that could not be delivered are counted per experiment variant, for the experiment read-out. */
  droppedExposures: DroppedExposureRecorderOptions;
  recommender: RecommenderOverrides;
  /** Following the online updater's deltas (see libs/online): on by default, under the updater's default key prefix. */
  onlineDeltas: Omit<DeltaFollowerOptions, 'hnsw'> & { follow: boolean; prefix: string };
  /** How user erasures reach the loaded models: a NOTIFY, and polling as a fallback. */
  erasures: ErasureWatcherOptions;
  /** Checks API keys (scope `serve`); without it the endpoint is open. */
  authorize?: HttpServiceOptions['authorize'];
}

export const DEFAULT_SERVING_OPTIONS: ServingOptions = {
  ...DEFAULT_HTTP_OPTIONS,
  port: APP_PORTS.serving,
  maxBodyBytes: 64 * 1024,
  defaultK: 20,
  maxK: 200,
  featureNamespace: DEFAULT_FEATURE_NAMESPACE,
  trackItemRows: true,
  catalogRefreshMs: 5 * 60_000,
  catalog: DEFAULT_CATALOG_TRACKER_OPTIONS,
  popularityRefreshMs: 60_000,
  experimentsRefreshMs: 30_000,
  popularity: DEFAULT_POPULARITY_OPTIONS,
  models: DEFAULT_MODEL_STORE_OPTIONS,
  exposures: DEFAULT_EXPOSURE_LOG_OPTIONS,
  exposureProducerClient: DEFAULT_PRODUCER_CLIENT,
  droppedExposures: DEFAULT_DROPPED_EXPOSURE_RECORDER_OPTIONS,
  recommender: {},
  onlineDeltas: { ...DEFAULT_DELTA_FOLLOWER_OPTIONS, follow: true, prefix: DEFAULT_DELTA_CHANNEL_OPTIONS.prefix },
  erasures: DEFAULT_ERASURE_WATCHER_OPTIONS,
};

export interface ServingDeps {
  pool: pg.Pool;
  /** One Redis or a Redis Cluster (createServingRedis). */
  redis: RedisClient;
  /** Where exposures are produced. */
  kafka: KafkaClientOptions;
  logger: Logger;
  /** Draws for exploration; tests fix it. */
  random?: Random;
}

/**
 * The serving process: HTTP in, ranked lists out, exposures to Kafka.
 * `start()` loads the catalogue, popularity, experiments and production
 * models, then listens; `close()` stops taking requests, finishes those in
 * flight, flushes exposures and releases connections.
 */
export class ServingService {
  readonly http: HttpService;
  readonly models: ModelStore;
  private readonly erasures: ServedErasures;
  private readonly catalog: Refreshing<Catalog>;
  private readonly popularity: Refreshing<Popularity>;
  private readonly experiments: Refreshing<Experiment[]>;
  private readonly exposures: ExposureLog;
  private readonly droppedExposures: DroppedExposureRecorder;
  private readonly deltas?: { follower: DeltaFollower; redis: RedisClient };
  private readonly itemRows?: ItemRowTracking;
  private started = false;
  private closing?: Promise<void>;

  constructor(deps: ServingDeps, options: Partial<ServingOptions> = {}) {
    const o = { ...DEFAULT_SERVING_OPTIONS, ...options };
    const { pool, logger } = deps;
    const metricsRegistry = createMetricsRegistry('serving');
    const metrics = createServingMetrics(metricsRegistry);
    const catalog = new CatalogTracker(pool, o.catalog);
    this.catalog = new Refreshing('catalogue', () => catalog.refresh(), logger, { intervalMs: o.catalogRefreshMs });
    const popularity = new PopularityTracker(pool, o.popularity);
    this.popularity = new Refreshing('popularity', () => popularity.refresh(), logger, { intervalMs: o.popularityRefreshMs });
    this.erasures = new ServedErasures({ pool, logger, loaded: () => this.models.loadedModels() }, o.erasures);
    if (o.onlineDeltas.follow) {
      // Blocking reads need a connection of their own. Its errors surface as failed reads, which the follower reports.
      const blocking = deps.redis.duplicate();
      blocking.on('error', (error) => logger.debug({ err: error }, 'online delta connection error'));
      const channel = (redis: RedisClient) => new DeltaChannel(redis, { prefix: o.onlineDeltas.prefix });
      const follower = new DeltaFollower(
        {
          channel: channel(deps.redis),
          blockingChannel: channel(blocking),
          production: () => this.models.productionModels(),
          catalog: () => this.catalog.current,
          reloadCatalog: () => this.catalog.refresh(),
          logger,
          metrics,
          erasures: this.erasures,
        },
        { ...o.onlineDeltas, hnsw: o.models.hnsw },
      );
      this.deltas = { follower, redis: blocking };
    }
    this.models = new ModelStore(
      { registry: new ModelRegistry(pool), pool, catalog: () => this.catalog.current, logger, metrics, deltas: this.deltas?.follower, erasures: this.erasures },
      o.models,
    );
    this.experiments = new Refreshing(
      'experiments',
      async () => {
        const experiments = await loadExperiments(pool, logger);
        this.models.pin(experiments.flatMap((e) => e.variants.map(modelPins)));
        return experiments;
      },
      logger,
      { intervalMs: o.experimentsRefreshMs },
    );
    // Redis reports changes to the connection that tracks them, one server's keys only; on a cluster every request reads its rows.
    if (o.trackItemRows) {
      if (isCluster(deps.redis)) logger.info('item feature rows are read from Redis every time on a Redis Cluster (no tracking across masters)');
      else this.itemRows = new ItemRowTracking(deps.redis, o.featureNamespace, logger);
    }
    const producer = createRecordProducer(o.exposureProducerClient, createKafka(deps.kafka), deps.kafka);
    this.droppedExposures = new DroppedExposureRecorder(pool, logger, o.droppedExposures);
    this.exposures = new ExposureLog(
      producer,
      logger,
      (count, variants) => {
        metrics.exposuresDropped.inc(count);
        this.droppedExposures.add(variants);
      },
      o.exposures,
    );
    const features = new OnlineFeatureReader(deps.redis, { namespace: o.featureNamespace }, this.itemRows);
    registerItemRowsMetric(metricsRegistry, features.itemRowReads);
    const recommender = new Recommender(
      {
        catalog: () => this.catalog.current,
        popularity: () => this.popularity.current,
        experiments: () => this.experiments.current ?? [],
        models: this.models,
        features,
        exposures: this.exposures,
        metrics,
        logger,
        random: deps.random ?? Math.random,
      },
      o.recommender,
    );
    this.http = new HttpService({ ...o, logger, metricsRegistry, ready: () => this.started && !this.closing && this.exposures.ready });
    registerServingRoutes(this.http, recommender, metrics, { defaultK: o.defaultK, maxK: o.maxK });
  }

  /**
   * Loads everything serving reads, connects the exposure producer, then
   * listens; resolves with the bound port, or with undefined when `close()`
   * began first (start then stops at its next step and leaves the rest to it).
   */
  async start(): Promise<number | undefined> {
    // Without tracking every request reads its items' rows: slower, never wrong, so it does not stop serving
    // (ItemRowTracking logs a refusal; an unreachable Redis is reported by serving's own connection).
    const tracking = this.itemRows?.connect().catch(() => undefined);
    await Promise.all([this.catalog.start(), this.popularity.start(), this.exposures.start(), tracking]);
    if (this.closing) return undefined;
    await this.experiments.start();
    if (this.closing) return undefined;
    // Before the models load: each one is scrubbed of every erased user before it serves.
    await this.erasures.start();
    if (this.closing) return undefined;
    await this.models.start();
    if (this.closing) return undefined;
    this.deltas?.follower.start();
    this.droppedExposures.start();
    // A close while the port binds makes the listen reject; that is the shutdown asked for, not a failed start.
    const address = await this.http.listen().catch((error: unknown) => {
      if (this.closing) return undefined;
      throw error;
    });
    if (!address) return undefined;
    this.started = true;
    return address.port;
  }

  /** Reloads catalogue, popularity, experiments and models now instead of at their next interval. */
  async refresh(): Promise<void> {
    await Promise.all([this.catalog.refresh(), this.popularity.refresh(), this.experiments.refresh()]);
    await this.models.refresh();
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.http.close();
      if (this.deltas) {
        // Disconnecting ends the blocking read the follower may be waiting in.
        const stopped = this.deltas.follower.close();
        this.deltas.redis.disconnect();
        await stopped;
      }
      await Promise.all([this.catalog.close(), this.popularity.close(), this.experiments.close(), this.models.close(), this.erasures.close()]);
      await this.exposures.close();
      await this.droppedExposures.close();
      this.itemRows?.disconnect();
    })();
    return this.closing;
  }
}
