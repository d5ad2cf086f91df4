import pg from 'pg';
import { apiKeyAuthorizer } from '@recstream/auth';
import { closeOnSignals, createLogger, runWorkers } from '@recstream/platform';
import { useViewCatalogue } from '@recstream/features';
import { ServingService, applyServingV8Flags, createServingRedis } from '@recstream/serving';
import { servingConfig } from './env.js';

applyServingV8Flags();
const config = servingConfig();
useViewCatalogue(config.viewCatalogue);
const logger = createLogger('serving', config.logLevel);

await runWorkers(config.workers, logger, async () => {
  const redis = createServingRedis(config, logger);
  const pool = new pg.Pool({ connectionString: config.databaseUrl, max: config.poolSize });
  pool.on('error', (error) => logger.error({ err: error }, 'idle Postgres client failed'));
  const service = new ServingService(
    { pool, redis, kafka: { clientId: 'recstream-serving', brokers: config.brokers, logger }, logger },
    { ...config.options, authorize: config.authMode === 'api-key' ? apiKeyAuthorizer(pool, config.authenticator) : undefined },
  );
  closeOnSignals({ close: () => service.close().finally(() => Promise.allSettled([redis.quit(), pool.end()])) }, logger);
  const port = await service.start();
  if (port === undefined) return;
  logger.info({ port, auth: config.authMode, recall: service.models.productionVersion('recall'), ranking: service.models.productionVersion('ranking') }, 'serving listening');
});
