import pg from 'pg';
import { closeOnSignals, createLogger } from '@recstream/platform';
import { createKafka } from '@recstream/streams';
import { ServingService, createServingRedis } from '@recstream/serving';
import { servingConfig } from './env.js';

const config = servingConfig();
const logger = createLogger('serving', config.logLevel);
const kafka = createKafka({ clientId: 'recstream-serving', brokers: config.brokers, logger });
const redis = createServingRedis(config.redisUrl, logger);
const pool = new pg.Pool({ connectionString: config.databaseUrl, max: config.poolSize });
pool.on('error', (error) => logger.error({ err: error }, 'idle Postgres client failed'));
const service = new ServingService({ pool, redis, kafka, logger }, config.options);
closeOnSignals({ close: () => service.close().finally(() => Promise.allSettled([redis.quit(), pool.end()])) }, logger);
const port = await service.start();
logger.info({ port, recall: service.models.productionVersion('recall'), ranking: service.models.productionVersion('ranking') }, 'serving listening');
