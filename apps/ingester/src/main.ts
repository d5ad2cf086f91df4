import pg from 'pg';
import { apiKeyAuthorizer } from '@recstream/auth';
import { closeOnSignals, createLogger, runWorkers } from '@recstream/platform';
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
  closeOnSignals({ close: () => ingester.close().then(() => pool?.end()) }, logger);
  const port = await ingester.start();
  logger.info({ port, brokers: config.brokers, auth: config.authMode }, 'ingester listening');
});
