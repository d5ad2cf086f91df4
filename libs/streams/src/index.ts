export { createKafka, type KafkaClientOptions } from './kafka.js';
export { ensureTopics } from './topics.js';
