/**
 * `npm run features:repair-watermark -- [--partition N ...] [--topic T] [--stream-time ISO|ms]`:
 * pulls back the stream time of the partitions (all of the events topic by
 * default) that an event dated in the future carried ahead, to now or
 * `--stream-time`, in Redis and Postgres. Stop the namespace's feature
 * builders first; start them again afterwards.
 */
import { parseArgs } from 'node:util';
import { createLogger } from '@recstream/platform';
import { DEFAULT_FEATURE_BUILDER_OPTIONS, repairWatermarks } from '@recstream/features';
import { connect } from '../connections.js';
import { featureBuilderConfig } from '../env.js';

const { values } = parseArgs({ options: { partition: { type: 'string', multiple: true }, topic: { type: 'string' }, 'stream-time': { type: 'string' } } });
const partitions = values.partition?.map(Number);
if (partitions?.some((partition) => !Number.isInteger(partition) || partition < 0)) {
  console.error(`--partition must be a partition number, not ${JSON.stringify(values.partition)}`);
  process.exit(2);
}
const given = values['stream-time'];
const streamTime = given === undefined ? undefined : /^\d+$/.test(given) ? Number(given) : Date.parse(given);
if (streamTime !== undefined && !Number.isFinite(streamTime)) {
  console.error(`--stream-time must be an ISO-8601 time or epoch ms, not ${JSON.stringify(given)}`);
  process.exit(2);
}
const config = featureBuilderConfig();
const { namespace, topics, maxFutureSkewMs } = { ...DEFAULT_FEATURE_BUILDER_OPTIONS, ...config.options };
const logger = createLogger('feature-repair-watermark', config.logLevel);
const { redis, pool, release } = connect(config, logger);
try {
  const report = await repairWatermarks({ redis, pool }, { namespace, topic: values.topic ?? topics.events, partitions, maxFutureSkewMs, streamTime });
  console.log(JSON.stringify(report));
} finally {
  await release();
}
