/** `npm run topics:create`: creates the platform's Kafka topics that are missing, named as EVENTS_TOPIC, ITEMS_TOPIC, USERS_TOPIC and DEAD_LETTER_TOPIC say. */
import { topicSpecs } from '@recstream/schemas';
import { ensureTopics } from '@recstream/streams';
import { Kafka, logLevel } from 'kafkajs';
import { brokersFrom } from '@recstream/platform';
import { topicReplication } from './kafka.js';
import { infraSettings } from './settings.js';

const settings = infraSettings();
const admin = new Kafka({ clientId: 'recstream-topics', brokers: brokersFrom(settings.KAFKA_BROKERS), logLevel: logLevel.ERROR }).admin();
try {
  await admin.connect();
  const specs = topicSpecs(settings.topics);
  const created = await ensureTopics(admin, specs, topicReplication(settings));
  for (const spec of specs) {
    const state = created.includes(spec.name) ? 'created' : 'exists';
    console.log(`${spec.name.padEnd(20)} ${state.padEnd(8)} partitions=${spec.partitions} retention=${spec.retentionMs / 86_400_000}d  ${spec.description}`);
  }
} catch (error) {
  console.error(`topics:create failed: ${(error as Error).message}. Is Kafka up? Run npm run infra:up.`);
  process.exitCode = 1;
} finally {
  await admin.disconnect();
}
