import { closeOnSignals, createLogger, exitOnFailure } from '@recstream/platform';
import { FeatureBuilder, useViewCatalogue } from '@recstream/features';
import { connect } from './connections.js';
import { featureBuilderConfig } from './env.js';

const config = featureBuilderConfig();
useViewCatalogue(config.viewCatalogue);
const logger = createLogger('feature-builder', config.logLevel);
const { kafka, redis, pool, release } = connect(config, logger);
const builder = new FeatureBuilder({ kafka, redis, pool, logger }, config.options);
const service = { close: () => builder.close().finally(release) };
closeOnSignals(service, logger);
exitOnFailure(builder.failed, service, logger);
const port = await builder.start();
logger.info({ port, group: builder.options.groupId, namespace: builder.options.namespace }, 'feature builder consuming');
