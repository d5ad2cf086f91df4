/**
 * `npm run infra:up`: makes Kafka, Postgres and Redis available and healthy,
 * idempotently. Services named by KAFKA_BROKERS, DATABASE_URL or REDIS_URL are
 * only checked; otherwise local ones are started when they are not running.
 * REDIS_NODES=3 starts a local Redis Cluster in place of the plain Redis.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ensureKafka } from './kafka.js';
import { ensurePostgres } from './postgres.js';
import { ensureRedis, ensureRedisCluster } from './redis.js';
import { DATA_DIR, infraSettings } from './settings.js';

const STATE_FILE = resolve(DATA_DIR, 'infra-started.json');
const say = (line: string) => console.log(`[infra] ${line}`);

async function main(): Promise<void> {
  const settings = infraSettings();
  mkdirSync(DATA_DIR, { recursive: true });
  const started = new Set<string>(existsSync(STATE_FILE) ? JSON.parse(readFileSync(STATE_FILE, 'utf8')) : []);
  const record = (service: string, didStart: boolean) => {
    if (didStart) started.add(service);
    writeFileSync(STATE_FILE, JSON.stringify([...started]));
  };
  record('postgres', await ensurePostgres(settings, say));
  if (settings.REDIS_NODES === 1) record('redis', await ensureRedis(settings, say));
  else record('redis-cluster', await ensureRedisCluster(settings, say));
  record('kafka', await ensureKafka(settings, say));
  say('all services healthy');
}

main().catch((error: Error) => {
  console.error(`[infra] ${error.message}`);
  process.exit(1);
});
