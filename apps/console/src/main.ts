import { apiKeyAuthorizer } from '@recstream/auth';
import { ConsoleService } from '@recstream/console';
import { closeOnSignals, createClients, createLogger } from '@recstream/platform';
import { createKafka } from '@recstream/streams';
import { consoleConfig } from './env.js';

const config = consoleConfig();
const logger = createLogger('console', config.logLevel);
// The console only reads job counts (no blocking BullMQ reads), so a Redis outage should fail them fast, not queue them.
const { redis, pool, release } = createClients(config, logger, config.poolSize, { maxRetriesPerRequest: 1 });
const kafka = createKafka({ clientId: 'recstream-console', brokers: config.brokers, logger });
const service = new ConsoleService(
  { pool, redis, kafka, logger },
  { ...config.options, authorize: config.authMode === 'api-key' ? apiKeyAuthorizer(pool, config.authenticator) : undefined },
);
closeOnSignals({ close: () => service.close().finally(release) }, logger);
const port = await service.start();
logger.info({ port, auth: config.authMode, serving: service.options.servingUrl, targets: service.options.metricsTargets.map((t) => t.name) }, 'console listening');
