/**
 * `npm run infra:down`: stops the apps the demo left running, then the
 * services that infra:up started, and nothing else. `npm run demo:stop`
 * (`--apps-only`) stops just the apps.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { stopBackgroundApps } from './apps.js';
import { stopKafka } from './kafka.js';
import { stopPostgres } from './postgres.js';
import { stopRedis, stopRedisCluster } from './redis.js';
import { DATA_DIR, infraSettings } from './settings.js';

const STATE_FILE = resolve(DATA_DIR, 'infra-started.json');
const say = (line: string) => console.log(`[infra] ${line}`);

async function main(): Promise<void> {
  const apps = await stopBackgroundApps();
  say(apps.length ? `stopped the apps the demo left running: ${apps.join(', ')}` : 'no apps left running by the demo');
  if (process.argv.includes('--apps-only')) return;
  const started: string[] = existsSync(STATE_FILE) ? JSON.parse(readFileSync(STATE_FILE, 'utf8')) : [];
  if (started.includes('kafka')) await stopKafka(say);
  if (started.includes('redis')) stopRedis(infraSettings(), say);
  if (started.includes('redis-cluster')) stopRedisCluster(say);
  if (started.includes('postgres')) stopPostgres(say);
  rmSync(STATE_FILE, { force: true });
  say(started.length ? `stopped ${started.join(', ')}` : 'nothing to stop: infra:up started no service');
}

main().catch((error: Error) => {
  console.error(`[infra] ${error.message}`);
  process.exit(1);
});
