import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { brokersFrom } from '@recstream/platform';
import { TOPICS } from '@recstream/schemas';
import { ensureTopics } from '@recstream/streams';
import { waitFor, hostPort } from './probe.js';
import { DATA_DIR, REPO_ROOT, type InfraSettings } from './settings.js';

const KAFKA_TOOLS = resolve(REPO_ROOT, 'tools/kafka');
export const KAFKA_LIBS = resolve(KAFKA_TOOLS, 'target/libs');
const KAFKA_DATA = resolve(DATA_DIR, 'kafka');
const PID_FILE = resolve(KAFKA_DATA, 'kafka.pid');
export const KAFKA_LOG = resolve(KAFKA_DATA, 'server.log');

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

function serverProperties(port: number): string {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${port + 1}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${port + 1}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    `log.dirs=${resolve(KAFKA_DATA, 'data')}`,
    'num.partitions=3',
    // Topics are created explicitly, with their partitions and retention (topics:create).
    'auto.create.topics.enable=false',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=10',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'min.insync.replicas=1',
    'group.initial.rebalance.delay.ms=0',
    'log.segment.bytes=134217728',
    '',
  ].join('\n');
}

function startLocalBroker(settings: InfraSettings, port: number, say: (line: string) => void): void {
  ensureKafkaJars(say);
  mkdirSync(KAFKA_DATA, { recursive: true });
  const properties = resolve(KAFKA_DATA, 'server.properties');
  writeFileSync(properties, serverProperties(port));
  const classpath = `${KAFKA_LIBS}/*`;
  if (!existsSync(resolve(KAFKA_DATA, 'data/meta.properties'))) {
    const clusterId = randomBytes(16).toString('base64url');
    execFileSync('java', ['-cp', classpath, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', properties], {
      stdio: 'ignore',
    });
  }
  say(`starting a single-node KRaft Kafka broker on 127.0.0.1:${port} (log: ${KAFKA_LOG})`);
  const log = openSync(KAFKA_LOG, 'a');
  const broker = spawn(
    'java',
    [
      `-Xmx${settings.KAFKA_HEAP}`,
      `-Xms${settings.KAFKA_HEAP}`,
      '-XX:+UseG1GC',
      '-Djava.awt.headless=true',
      `-Dlog4j.configuration=file:${resolve(KAFKA_TOOLS, 'log4j.properties')}`,
      '-cp',
      classpath,
      'kafka.Kafka',
      properties,
    ],
    { detached: true, stdio: ['ignore', log, log] },
  );
  broker.unref();
  writeFileSync(PID_FILE, String(broker.pid));
}

/** Makes Kafka reachable and creates the platform's topics; returns true if it started a local broker. */
export async function ensureKafka(settings: InfraSettings, say: (line: string) => void): Promise<boolean> {
  const brokers = brokersFrom(settings.KAFKA_BROKERS);
  let started = false;
  try {
    await describeCluster(brokers);
  } catch (error) {
    if (settings.userProvided.kafka) {
      throw new Error(`Kafka is not reachable at ${brokers.join(',')} (${(error as Error).message}). Start it or fix KAFKA_BROKERS.`);
    }
    startLocalBroker(settings, hostPort(brokers[0]!, 9092).port, say);
    started = true;
    await waitFor('Kafka', () => describeCluster(brokers), 90_000).catch((cause: Error) => {
      throw new Error(`${cause.message}. See ${KAFKA_LOG}.`);
    });
  }
  const client = admin(brokers);
  await client.connect();
  try {
    const created = await ensureTopics(client, Object.values(TOPICS));
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
