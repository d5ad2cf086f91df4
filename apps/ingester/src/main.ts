import pg from 'pg';
import { apiKeyAuthorizer } from '@recstream/auth';
import { closeOnSignals, createLogger, runWorkers } from '@recstream/platform';
import { createKafka, createRecordProducer } from '@recstream/streams';
import { Ingester } from '@recstream/ingest';
import { ingesterConfig } from './env.js';

const config = ingesterConfig();
const logger = createLogger('ingester', config.logLevel);

await runWorkers(config.workers, logger, async () => {
  const pool = config.authMode === 'api-key' ? new pg.Pool({ connectionString: config.databaseUrl, max: 2 }) : undefined;
  const kafkaOptions = { clientId: 'recstream-ingester', brokers: config.brokers, logger };
  const kafka = createKafka(kafkaOptions);
  const producer = createRecordProducer(config.producerClient, kafka, kafkaOptions);
  const options = { ...config.options, authorize: pool && apiKeyAuthorizer(pool, config.authenticator) };
  const ingester = new Ingester(kafka, logger, options, producer);
  closeOnSignals({ close: () => ingester.close().then(() => pool?.end()) }, logger);
  const port = await ingester.start();
  logger.info({ port, brokers: config.brokers, auth: config.authMode }, 'ingester listening');
});
