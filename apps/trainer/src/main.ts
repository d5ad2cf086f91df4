import { selectBackend } from '@recstream/models';
import { closeOnSignals, createClients, createLogger, createMetricsRegistry, DEFAULT_HTTP_OPTIONS, HttpService } from '@recstream/platform';
import { ModelRegistry } from '@recstream/registry';
import { TrainJobWorker } from '@recstream/training';
import { trainerConfig } from './env.js';

const config = trainerConfig();
const logger = createLogger('trainer', config.logLevel);
const backend = await selectBackend({ required: config.backend, logger });
const { redis, pool, release } = createClients(config, logger);
const metrics = createMetricsRegistry('trainer');
const worker = new TrainJobWorker({ pool, registry: new ModelRegistry(pool), connection: redis, logger, metrics, codeVersion: config.codeVersion }, config.worker);
const http = new HttpService({ ...DEFAULT_HTTP_OPTIONS, ...config.http, logger, metricsRegistry: metrics, ready: () => worker.ready });
closeOnSignals({ close: () => Promise.all([worker.close(), http.close()]).finally(release).then(() => undefined) }, logger);
await worker.start();
const address = await http.listen();
logger.info({ port: address.port, backend, prefix: worker.options.prefix }, 'trainer waiting for train jobs');
