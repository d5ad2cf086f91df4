import { closeOnSignals, createLogger } from '@recstream/platform';
import { createKafka } from '@recstream/streams';
import { Ingester } from '@recstream/ingest';
import { ingesterConfig } from './env.js';

const config = ingesterConfig();
const logger = createLogger('ingester', config.logLevel);
const ingester = new Ingester(createKafka({ clientId: 'recstream-ingester', brokers: config.brokers, logger }), logger, config.options);
closeOnSignals(ingester, logger);
const port = await ingester.start();
logger.info({ port, brokers: config.brokers }, 'ingester listening');
