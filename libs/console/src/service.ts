import type { Admin, Kafka } from 'kafkajs';
import type pg from 'pg';
import { APP_PORTS, DEFAULT_HTTP_OPTIONS, HttpService, createMetricsRegistry, type HttpServiceOptions, type Logger, type RedisClient } from '@recstream/platform';
import { ModelRegistry } from '@recstream/registry';
import { DEFAULT_QUEUE_PREFIX, QUEUES } from '@recstream/schemas';
import { consumerGroupLag, type GroupLag } from './consumer-lag.js';
import { readExperiments } from './experiments.js';
import { DEFAULT_SCRAPER_OPTIONS, MetricsScraper, THROUGHPUT_COUNTERS, WARNING_COUNTERS, type MetricsTarget, type ScraperOptions } from './metrics-scraper.js';
import { readModelVersions } from './models.js';
import { QueueDepths, type QueueDepth } from './queue-depths.js';
import { proxyRecommendation } from './recommend-proxy.js';
import { registerStaticAssets } from './static-assets.js';
import { readDailyTraffic } from './traffic.js';

/** The API-key scope every JSON route of the console requires. */
export const ADMIN_SCOPE = 'admin';

export interface ConsoleOptions {
  port: number;
  host: string;
  maxBodyBytes: number;
  /** Base URL of the serving API the recommendation view asks. */
  servingUrl: string;
  servingTimeoutMs: number;
  /** The apps' /metrics endpoints, scraped for up/down and throughput. */
  metricsTargets: MetricsTarget[];
  scraper: ScraperOptions;
  /** Kafka consumer groups whose lag is shown, e.g. the feature builder's. */
  consumerGroups: string[];
  /** BullMQ queues whose job counts are shown, and their key prefix. */
  queues: string[];
  bullmqPrefix: string;
  /** Model versions shown per role. */
  modelVersions: number;
  /** UTC days of BI traffic shown. */
  trafficDays: number;
  /** Checks API keys (scope `admin`); without it the JSON routes are open. */
  authorize?: HttpServiceOptions['authorize'];
}

export const DEFAULT_CONSOLE_OPTIONS: ConsoleOptions = {
  ...DEFAULT_HTTP_OPTIONS,
  port: APP_PORTS.console,
  maxBodyBytes: 64 * 1024,
  servingUrl: `http://127.0.0.1:${APP_PORTS.serving}`,
  servingTimeoutMs: 5_000,
  metricsTargets: [],
  scraper: DEFAULT_SCRAPER_OPTIONS,
  consumerGroups: ['feature-builder'],
  queues: Object.values(QUEUES),
  bullmqPrefix: DEFAULT_QUEUE_PREFIX,
  modelVersions: 30,
  trafficDays: 30,
};

export interface ConsoleDeps {
  pool: pg.Pool;
  /** For BullMQ's job counts; stays the caller's to close. */
  redis: RedisClient;
  kafka: Kafka;
  logger: Logger;
}

/** A group's lag, or why it could not be read (then `lag` is null). */
export type GroupLagReport = Omit<GroupLag, 'lag'> & { lag: number | null; error: string | null };

/** Each part of pipeline health is read on its own, so one unreachable dependency leaves the rest visible. */
export interface PipelineHealth {
  targets: ReturnType<MetricsScraper['health']>;
  throughputCounters: Readonly<Record<string, string>>;
  warningCounters: Readonly<Record<string, string>>;
  consumerGroups: GroupLagReport[];
  queues: { depths: QueueDepth[]; error: string | null };
}

/**
 * The operator console: a web page (public static assets) over JSON routes
 * that need an admin key: pipeline health, daily traffic, model versions,
 * experiment results, and recommendations fetched from serving.
 */
export class ConsoleService {
  readonly http: HttpService;
  readonly options: ConsoleOptions;
  private readonly scraper: MetricsScraper;
  private readonly queues: QueueDepths;
  private readonly admin: Admin;
  private adminConnected?: Promise<void>;
  private started = false;
  private closing?: Promise<void>;

  constructor(deps: ConsoleDeps, options: Partial<ConsoleOptions> = {}) {
    const o = (this.options = { ...DEFAULT_CONSOLE_OPTIONS, ...options });
    this.scraper = new MetricsScraper(o.metricsTargets, deps.logger, o.scraper);
    this.queues = new QueueDepths(o.queues, deps.redis, o.bullmqPrefix);
    this.admin = deps.kafka.admin();
    const registry = new ModelRegistry(deps.pool);
    this.http = new HttpService({ ...o, logger: deps.logger, metricsRegistry: createMetricsRegistry('console'), ready: () => this.started && !this.closing });
    registerStaticAssets(this.http);
    const json = (read: () => Promise<unknown>) => async () => ({ status: 200, body: await read() });
    this.http
      .route('GET', '/api/pipeline', json(() => this.pipeline()), ADMIN_SCOPE)
      .route('GET', '/api/traffic', json(() => readDailyTraffic(deps.pool, o.trafficDays)), ADMIN_SCOPE)
      .route('GET', '/api/models', json(() => readModelVersions(registry, o.modelVersions)), ADMIN_SCOPE)
      .route('GET', '/api/experiments', json(() => readExperiments(deps.pool)), ADMIN_SCOPE)
      .route('POST', '/api/recommend', (request) => proxyRecommendation(request, o.servingUrl, o.servingTimeoutMs), ADMIN_SCOPE);
  }

  /** Scrapes the metrics targets once, then listens; resolves with the bound port. */
  async start(): Promise<number> {
    await this.scraper.start();
    const { port } = await this.http.listen();
    this.started = true;
    return port;
  }

  async pipeline(): Promise<PipelineHealth> {
    const [consumerGroups, queues] = await Promise.all([
      Promise.all(this.options.consumerGroups.map((group) => this.groupLag(group))),
      this.queues.read().then(
        (depths) => ({ depths, error: null }),
        (error: unknown) => ({ depths: [], error: `BullMQ job counts unavailable: ${message(error)}` }),
      ),
    ]);
    return { targets: this.scraper.health(), throughputCounters: THROUGHPUT_COUNTERS, warningCounters: WARNING_COUNTERS, consumerGroups, queues };
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.http.close();
      await Promise.all([this.scraper.close(), this.queues.close(), this.admin.disconnect()]);
    })();
    return this.closing;
  }

  private async groupLag(group: string): Promise<GroupLagReport> {
    try {
      this.adminConnected ??= this.admin.connect();
      await this.adminConnected;
      return { ...(await consumerGroupLag(this.admin, group)), error: null };
    } catch (error) {
      // Connect again on the next request rather than keep a failed attempt.
      this.adminConnected = undefined;
      return { group, lag: null, partitions: [], error: `Kafka lag unavailable: ${message(error)}` };
    }
  }
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));
