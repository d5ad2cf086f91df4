/**
 * `npm run erase-user -- USER_ID --by WHO [--reason TEXT] [--namespace fs]`:
 * erases a user (a request to be forgotten): their events, feature history,
 * training samples, online features and behaviour sequence; the running
 * online updater and serving forget their embedding rows on the erasure's
 * NOTIFY, and every model version registered from now on leaves them out.
 * Prints what was removed; the erasure is recorded in `user_erasures`.
 */
import { parseArgs } from 'node:util';
import { createClients, createLogger } from '@recstream/platform';
import { DEFAULT_USER_ERASER_OPTIONS, ERASED_PLACES, UserEraser } from '@recstream/privacy';
import { infraSettings } from '../infra/settings.js';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    by: { type: 'string' },
    reason: { type: 'string' },
    namespace: { type: 'string', default: DEFAULT_USER_ERASER_OPTIONS.namespace },
  },
});
const settings = infraSettings();
const clients = createClients({ redisUrl: settings.REDIS_URL, redisClusterNodes: settings.REDIS_CLUSTER_NODES, databaseUrl: settings.DATABASE_URL }, createLogger('erase-user', settings.LOG_LEVEL), 1, { maxRetriesPerRequest: 1 });

try {
  const [userId, ...extra] = positionals;
  if (!userId || extra.length > 0 || !values.by) {
    throw new Error('usage: npm run erase-user -- USER_ID --by WHO [--reason TEXT] [--namespace FEATURE_NAMESPACE]');
  }
  const eraser = new UserEraser(clients.pool, clients.redis, { namespace: values.namespace });
  const record = await eraser.erase({ userId, requestedBy: values.by, reason: values.reason });
  const removed = ERASED_PLACES.map((place) => `${place}=${record.removed[place] ?? 0}`).join(' ');
  console.log(`erasure ${record.erasureId}: removed ${removed}; running online updaters and servers forget the user's embedding rows within seconds, and model versions registered from now on leave them out`);
} catch (error) {
  console.error(`erase-user: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await clients.release();
}
