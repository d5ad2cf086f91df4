export { RecstreamError, NonRetriableError, ConfigError, isRetriable } from './errors.js';
export { jobFailure } from './job-failure.js';
export { retry, DEFAULT_RETRY, type RetryOptions } from './retry.js';
export { parseEnv, infraEnv, authModeEnv, brokersFrom, envInt } from './config.js';
export { createLogger, type Logger } from './logger.js';
export { closeOnSignals, exitOnFailure, runWorkers, type Closable } from './signals.js';
export {
  HttpService,
  HttpError,
  DEFAULT_HTTP_OPTIONS,
  APP_PORTS,
  type HttpServiceOptions,
  type HttpRequest,
  type HttpResponse,
  type Handler,
} from './http.js';
export { createMetricsRegistry } from './metrics.js';
export { ProgressBar } from './progress.js';
export { formatTable } from './table.js';
export { CoalescedRun } from './coalesced-run.js';
export { createClients, createPool } from './clients.js';
export { createRedis, clusterSeeds, isCluster, type RedisClient, type RedisConnection } from './redis.js';
export { mulberry32 } from './random.js';
export { spawnLogged, stopChild } from './child-process.js';
export {
  ratioMoments,
  ratioInterval,
  differenceInterval,
  pairedDifferenceInterval,
  sampleRatioMismatch,
  Z_95,
  SAMPLE_RATIO_THRESHOLD,
  type RatioMoments,
  type Estimate,
  type SampleRatioCheck,
} from './statistics.js';
