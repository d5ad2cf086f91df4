import { useViewCatalogue } from '@recstream/features';
import { closeOnSignals, createClients, createLogger, createMetricsRegistry, DEFAULT_HTTP_OPTIONS, HttpService } from '@recstream/platform';
import { registerQueueDepths, SampleGenerator, SampleJobWorker } from '@recstream/samples';

import { sampleGeneratorConfig } from './env.js';

const config = sampleGeneratorConfig();
useViewCatalogue(config.viewCatalogue);
const logger = createLogger('sample-generator', config.logLevel);
const { redis, pool, release } = createClients(config, logger);
const generator = new SampleGenerator(pool, config.generator);
const worker = new SampleJobWorker({ pool, connection: redis, generator, logger }, config.worker);
const metricsRegistry = createMetricsRegistry('sample-generator');
const queueDepths = registerQueueDepths(metricsRegistry, redis, worker.options.prefix);
let ready = false;
const http = new HttpService({ ...DEFAULT_HTTP_OPTIONS, ...config.http, logger, metricsRegistry, ready: () => ready });
closeOnSignals({ close: () => Promise.all([worker.close(), http.close(), queueDepths.close()]).finally(release).then(() => undefined) }, logger);
await worker.start();
const address = await http.listen();
ready = true;
logger.info({ port: address.port, cron: worker.options.cron, prefix: worker.options.prefix, targets: worker.options.trainTargets }, 'sample generator waiting for jobs');
