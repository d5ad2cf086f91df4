import { createClients, type Logger } from '@recstream/platform';
import { createKafka } from '@recstream/streams';
import type { featureBuilderConfig } from './env.js';

/** The clients the feature builder and the rebuild command use, and how to release them. */
export function connect(config: ReturnType<typeof featureBuilderConfig>, logger: Logger) {
  const kafka = createKafka({ clientId: 'recstream-feature-builder', brokers: config.brokers, logger });
  // Not BullMQ: a Redis write that keeps failing should fail the chunk, which is then retried.
  return { kafka, ...createClients(config, logger, 4, { maxRetriesPerRequest: 3 }) };
}
