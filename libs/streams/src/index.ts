export { createKafka, createProducer, type KafkaClientOptions } from './kafka.js';
export { ensureTopics } from './topics.js';
export { LocalKafkaBroker, type LocalBrokerOptions } from './local-broker.js';
