import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { brokersFrom } from '@recstream/platform';
import { topicSpecs } from '@recstream/schemas';
import { ensureTopics } from '@recstream/streams';
import { LocalKafkaBroker, LocalKafkaCluster } from '@recstream/streams/local-kafka';
import { waitFor } from './probe.js';
import { DATA_DIR, REPO_ROOT, type InfraSettings } from './settings.js';

const KAFKA_TOOLS = resolve(REPO_ROOT, 'tools/kafka');
export const KAFKA_LIBS = resolve(KAFKA_TOOLS, 'target/libs');
const KAFKA_DATA = resolve(DATA_DIR, 'kafka');
const CLUSTER_DATA = resolve(DATA_DIR, 'kafka-cluster');
/** The pids of the local nodes infra:up started, one a line. */
const PID_FILE = resolve(KAFKA_DATA, 'kafka.pid');

function admin(brokers: string[]) {
  return new Kafka({ clientId: 'recstream-infra', brokers, logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
}

/** The number of brokers the cluster has now. */
async function describeCluster(brokers: string[]): Promise<number> {
  const client = admin(brokers);
  await client.connect();
  try {
    return (await client.describeCluster()).brokers.length;
  } finally {
    await client.disconnect();
  }
}

/** Broker and tool jars from Maven Central, fetched once into tools/kafka/target/libs. */
export function ensureKafkaJars(say: (line: string) => void): void {
  if (existsSync(KAFKA_LIBS) && readdirSync(KAFKA_LIBS).some((jar) => jar.startsWith('kafka_2.13'))) return;
  say('resolving Apache Kafka jars from Maven Central (first run only)');
  try {
    execFileSync(
      'mvn',
      ['-q', '-B', '-Dstyle.color=never', '-f', resolve(KAFKA_TOOLS, 'pom.xml'), 'dependency:copy-dependencies', `-DoutputDirectory=${KAFKA_LIBS}`, '-DincludeScope=runtime'],
      { stdio: 'inherit' },
    );
  } catch (error) {
    throw new Error(
      `could not fetch Kafka's jars with Maven (${(error as Error).message}). Install Maven and Java 17+ ` +
        '(apt-get install maven openjdk-17-jre-headless), or run your own broker and set KAFKA_BROKERS.',
    );
  }
}

/** Starts the local node(s), detached, and waits until they form a cluster. */
async function startLocal(settings: InfraSettings, say: (line: string) => void): Promise<void> {
  const common = { libsDir: KAFKA_LIBS, heap: settings.KAFKA_HEAP, log4jConfig: resolve(KAFKA_TOOLS, 'log4j.properties'), port: settings.KAFKA_PORT };
  mkdirSync(KAFKA_DATA, { recursive: true });
  if (settings.KAFKA_NODES === 1) {
    const broker = new LocalKafkaBroker({ ...common, dataDir: KAFKA_DATA });
    say(`starting a single-node KRaft Kafka broker on ${broker.address} (log: ${broker.logFile})`);
    writeFileSync(PID_FILE, String(broker.start({ detached: true })));
    await waitFor('Kafka', () => describeCluster([broker.address]), 90_000).catch((cause: Error) => {
      throw new Error(`${cause.message}. See ${broker.logFile}.`);
    });
    return;
  }
  const cluster = new LocalKafkaCluster({ ...common, dataDir: CLUSTER_DATA, nodes: settings.KAFKA_NODES });
  say(`starting a ${settings.KAFKA_NODES}-node KRaft Kafka cluster on ${cluster.addresses.join(', ')} (logs: ${CLUSTER_DATA}/node-*/server.log)`);
  writeFileSync(PID_FILE, cluster.start({ detached: true }).join('\n'));
  await cluster.waitUntilFormed();
}

/** Makes Kafka reachable and creates the platform's topics; returns true if it started a local broker. */
export async function ensureKafka(settings: InfraSettings, say: (line: string) => void): Promise<boolean> {
  const brokers = brokersFrom(settings.KAFKA_BROKERS);
  let started = false;
  // Throwaway test brokers and bench:ingest's reference tool need the jars even when a broker runs.
  try {
    ensureKafkaJars(say);
  } catch (error) {
    if (!settings.userProvided.kafka) throw error;
    say(`warning: ${(error as Error).message}`);
  }
  let running = 0;
  try {
    running = await describeCluster(brokers);
  } catch (error) {
    if (settings.userProvided.kafka) {
      throw new Error(`Kafka is not reachable at ${brokers.join(',')} (${(error as Error).message}). Start it or fix KAFKA_BROKERS.`);
    }
    await startLocal(settings, say);
    started = true;
  }
  if (!settings.userProvided.kafka && running > 0 && running < settings.KAFKA_NODES) {
    throw new Error(`a Kafka of ${running} broker(s) already answers at ${brokers[0]}, not ${settings.KAFKA_NODES}: stop it (npm run infra:down) or choose another KAFKA_PORT`);
  }
  const client = admin(brokers);
  await client.connect();
  try {
    const created = await ensureTopics(client, topicSpecs(settings.topics), topicReplication(settings));
    say(`kafka ready at ${brokers.join(',')}${created.length ? ` (created topics: ${created.join(', ')})` : ''}`);
  } finally {
    await client.disconnect();
  }
  return started;
}

/** The replication settings topics are created with; those not set are chosen from the cluster's size. */
export function topicReplication(settings: InfraSettings) {
  return { replicationFactor: settings.KAFKA_REPLICATION_FACTOR, minInsyncReplicas: settings.KAFKA_MIN_INSYNC_REPLICAS };
}

/** Stops the broker(s) this repo started, waiting for each to shut down cleanly. */
export async function stopKafka(say: (line: string) => void): Promise<void> {
  if (!existsSync(PID_FILE)) return;
  const pids = readFileSync(PID_FILE, 'utf8').split(/\s+/).filter(Boolean).map(Number);
  rmSync(PID_FILE);
  await Promise.all(pids.map((pid) => stopNode(pid, say)));
}

async function stopNode(pid: number, say: (line: string) => void): Promise<void> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return; // already gone
  }
  say(`stopping local Kafka broker (pid ${pid})`);
  await waitFor(
    'Kafka shutdown',
    async () => {
      try {
        process.kill(pid, 0);
      } catch {
        return;
      }
      throw new Error('still running');
    },
    30_000,
  );
}
