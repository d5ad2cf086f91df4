export { createKafka, createProducer, type KafkaClientOptions } from './kafka.js';
export { sendBounded, MAX_PRODUCE_REQUEST_BYTES } from './bounded-send.js';
export { ensureTopics, waitForLeaders, topicMetadata, defaultReplication, type Replication, type TopicMetadata } from './topics.js';
export { messageArrival } from './arrival.js';
export { decodeMessage, parseMessage, interactionMessages, upsertMessages, type DecodeOptions, type DecodedMessage, type ParsedMessage } from './decode.js';
export { ConsumerRunner, DEFAULT_CONSUMER_RUNNER_OPTIONS, type ConsumerRunnerOptions, type ConsumerHandlers, type ChunkContext } from './consumer-runner.js';
export type { RecordProducer, OutgoingMessage, OutgoingTopicMessages } from './record-producer.js';
export { createRecordProducer, PRODUCER_CLIENTS, DEFAULT_PRODUCER_CLIENT, type ProducerClient } from './producer-client.js';
