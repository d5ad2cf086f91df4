import pg from 'pg';
import { ApiKeyAuthenticator, ApiKeyStore } from '@recstream/auth';
import { closeOnSignals, createLogger } from '@recstream/platform';
import { createKafka } from '@recstream/streams';
import { Ingester } from '@recstream/ingest';
import { ingesterConfig } from './env.js';

const config = ingesterConfig();
const logger = createLogger('ingester', config.logLevel);
const pool = config.authMode === 'api-key' ? new pg.Pool({ connectionString: config.databaseUrl, max: 2 }) : undefined;
const authenticator = pool && new ApiKeyAuthenticator(new ApiKeyStore(pool));
const ingester = new Ingester(createKafka({ clientId: 'recstream-ingester', brokers: config.brokers, logger }), logger, {
  ...config.options,
  authorize: authenticator && ((request, scope) => authenticator.authorize(request, scope)),
});
closeOnSignals({ close: () => ingester.close().then(() => pool?.end()) }, logger);
const port = await ingester.start();
logger.info({ port, brokers: config.brokers, auth: config.authMode }, 'ingester listening');
