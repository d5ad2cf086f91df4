import { selectBackend } from '@recstream/models';
import { OnlineUpdater } from '@recstream/online';
import { closeOnSignals, createClients, createLogger, exitOnFailure } from '@recstream/platform';
import { createKafka } from '@recstream/streams';
import { onlineUpdaterConfig } from './env.js';

const config = onlineUpdaterConfig();
const logger = createLogger('online-updater', config.logLevel);
await selectBackend({ logger });
const kafka = createKafka({ clientId: 'recstream-online-updater', brokers: config.brokers, logger });
// A Redis write that keeps failing should fail the publish (its rows go out with the next one), not queue forever.
const { redis, pool, release } = createClients(config, logger, 4, { maxRetriesPerRequest: 3 });
const updater = new OnlineUpdater({ kafka, redis, pool, logger }, config.options);
const service = { close: () => updater.close().finally(release) };
closeOnSignals(service, logger);
exitOnFailure(updater.failed, service, logger);
const port = await updater.start();
logger.info({ port, name: updater.options.name, topic: updater.options.topic, status: updater.status() }, 'online updater consuming');
