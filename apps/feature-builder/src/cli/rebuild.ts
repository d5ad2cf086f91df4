/**
 * `npm run features:rebuild -- --from offline|kafka`: recomputes the online
 * store of FEATURE_NAMESPACE from the Postgres offline store (after a Redis
 * loss) or from a replay of the Kafka topics. Stop the namespace's feature
 * builders first; start them again afterwards.
 */
import { parseArgs } from 'node:util';
import { createLogger } from '@recstream/platform';
import { rebuildFromKafka, rebuildFromOffline, useViewCatalogue } from '@recstream/features';
import { connect } from '../connections.js';
import { featureBuilderConfig } from '../env.js';

const { values } = parseArgs({ options: { from: { type: 'string', default: 'offline' } } });
if (values.from !== 'offline' && values.from !== 'kafka') {
  console.error(`--from must be offline or kafka, not ${JSON.stringify(values.from)}`);
  process.exit(2);
}
const config = featureBuilderConfig();
useViewCatalogue(config.viewCatalogue);
const logger = createLogger('feature-rebuild', config.logLevel);
const { kafka, redis, pool, release } = connect(config, logger);
try {
  const deps = { redis, pool, logger };
  const report = values.from === 'offline' ? await rebuildFromOffline(deps, config.options) : await rebuildFromKafka({ ...deps, kafka }, config.options);
  console.log(JSON.stringify(report));
} finally {
  await release();
}
