// Kafka from its own jars, for local runs and tests where no Docker engine runs: not part of what the apps use.
export { LocalKafkaBroker, type LocalBrokerOptions } from './local-broker.js';
export { LocalKafkaCluster, type LocalClusterOptions } from './local-cluster.js';
