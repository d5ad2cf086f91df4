import pg from 'pg';
import { apiKeyAuthorizer } from '@recstream/auth';
import { closeOnSignals, createLogger, exitOnFailure, runWorkers } from '@recstream/platform';
import { Ingester } from '@recstream/ingest';
import { ingesterConfig } from './env.js';

const config = ingesterConfig();
const logger = createLogger('ingester', config.logLevel);

await runWorkers(config.workers, logger, async () => {
  const pool = config.authMode === 'api-key' ? new pg.Pool({ connectionString: config.databaseUrl, max: 2 }) : undefined;
  const ingester = new Ingester({ clientId: 'recstream-ingester', brokers: config.brokers, logger }, logger, {
    ...config.options,
    authorize: pool && apiKeyAuthorizer(pool, config.authenticator),
  });
  const service = { close: () => ingester.close().then(() => pool?.end()) };
  closeOnSignals(service, logger);
  exitOnFailure(ingester.failed, service, logger);
  const port = await ingester.start();
  logger.info({ port, brokers: config.brokers, auth: config.authMode }, 'ingester listening');
});
