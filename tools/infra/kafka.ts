import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { brokersFrom } from '@recstream/platform';
import { topicSpecs } from '@recstream/schemas';
import { LocalKafkaBroker, ensureTopics } from '@recstream/streams';
import { waitFor, hostPort } from './probe.js';
import { DATA_DIR, REPO_ROOT, type InfraSettings } from './settings.js';

const KAFKA_TOOLS = resolve(REPO_ROOT, 'tools/kafka');
export const KAFKA_LIBS = resolve(KAFKA_TOOLS, 'target/libs');
const KAFKA_DATA = resolve(DATA_DIR, 'kafka');
const PID_FILE = resolve(KAFKA_DATA, 'kafka.pid');

function admin(brokers: string[]) {
  return new Kafka({ clientId: 'recstream-infra', brokers, logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
}

async function describeCluster(brokers: string[]): Promise<void> {
  const client = admin(brokers);
  await client.connect();
  try {
    await client.describeCluster();
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

function startLocalBroker(settings: InfraSettings, port: number, say: (line: string) => void): void {
  const broker = new LocalKafkaBroker({
    libsDir: KAFKA_LIBS,
    dataDir: KAFKA_DATA,
    port,
    heap: settings.KAFKA_HEAP,
    log4jConfig: resolve(KAFKA_TOOLS, 'log4j.properties'),
  });
  say(`starting a single-node KRaft Kafka broker on ${broker.address} (log: ${broker.logFile})`);
  writeFileSync(PID_FILE, String(broker.start({ detached: true })));
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
  try {
    await describeCluster(brokers);
  } catch (error) {
    if (settings.userProvided.kafka) {
      throw new Error(`Kafka is not reachable at ${brokers.join(',')} (${(error as Error).message}). Start it or fix KAFKA_BROKERS.`);
    }
    startLocalBroker(settings, hostPort(brokers[0]!, 9092).port, say);
    started = true;
    await waitFor('Kafka', () => describeCluster(brokers), 90_000).catch((cause: Error) => {
      throw new Error(`${cause.message}. See ${resolve(KAFKA_DATA, 'server.log')}.`);
    });
  }
  const client = admin(brokers);
  await client.connect();
  try {
    const created = await ensureTopics(client, topicSpecs(settings.topics));
    say(`kafka ready at ${brokers.join(',')}${created.length ? ` (created topics: ${created.join(', ')})` : ''}`);
  } finally {
    await client.disconnect();
  }
  return started;
}

/** Stops the broker this repo started, waiting for a clean shutdown. */
export async function stopKafka(say: (line: string) => void): Promise<void> {
  if (!existsSync(PID_FILE)) return;
  const pid = Number(readFileSync(PID_FILE, 'utf8'));
  rmSync(PID_FILE);
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
