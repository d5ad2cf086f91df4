/**
 * `npm run demo`: the whole pipeline on a generated demo world with planted
 * structure: events are ingested over HTTP into Kafka, the feature builder
 * keeps Redis and Postgres fresh, the sample generator builds a dataset with
 * point-in-time features, a recall and a ranking model are trained, evaluated
 * against popularity and put through the promotion gate, serving answers
 * from the production models, and a summary of every stage is printed.
 */
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import pg from 'pg';
import { brokersFrom, createLogger, formatTable } from '@recstream/platform';
import { createKafka } from '@recstream/streams';
import { SyntheticWorld } from '@recstream/synth';
import { buildSamples, featuresCaughtUp, ingestWorld, serveRecommendations, startFeatureBuilder, trainAndPromote, type Clients } from './pipeline.js';
import { infraSettings } from '../infra/settings.js';

const { values: flags } = parseArgs({
  options: {
    users: { type: 'string', default: '500' },
    items: { type: 'string', default: '800' },
    days: { type: 'string', default: '4' },
    seed: { type: 'string', default: '42' },
    // Bounds that keep the demo within minutes on 2 cores; early stopping may end sooner.
    'recall-epochs': { type: 'string', default: '8' },
    'ranking-epochs': { type: 'string', default: '3' },
  },
});

/** Malformed input sent on purpose, to show where rejected events go. */
const MALFORMED = [
  { event_id: 'demo-bad-1', type: 'click', item_id: 'i1', event_time: '2026-03-01T10:00:00Z' },
  { event_id: 'demo-bad-2', type: 'teleport', user_id: 'u1', item_id: 'i1', event_time: 1772366400000 },
  { event_id: 'demo-bad-3', type: 'rating', user_id: 'u1', item_id: 'i1', event_time: 'soon' },
];

const step = (n: number, text: string) => console.log(`\n[${n}/6] ${text}`);
const fixed = (value: number, digits = 4) => value.toFixed(digits);

async function main(): Promise<void> {
  const settings = infraSettings();
  const logger = createLogger('demo', 'warn');
  const clients: Clients = {
    kafka: createKafka({ clientId: 'recstream-demo', brokers: brokersFrom(settings.KAFKA_BROKERS), logger }),
    redis: new Redis(settings.REDIS_URL, { maxRetriesPerRequest: null }),
    pool: new pg.Pool({ connectionString: settings.DATABASE_URL, max: 6 }),
    logger,
  };
  const days = Number(flags.days);
  // The world ends at today's midnight (UTC), so popularity windows and feature TTLs see it as recent.
  const start = Math.floor(Date.now() / 86_400_000 - days) * 86_400_000;
  const world = new SyntheticWorld({ users: Number(flags.users), items: Number(flags.items), days, seed: Number(flags.seed), start });
  const started = performance.now();
  try {
    step(1, `generating a world: ${world.users.length} users, ${world.items.length} items, ${world.options.days} days (seed ${world.options.seed})`);
    const builder = await startFeatureBuilder(clients);
    step(2, 'ingesting its events over HTTP into Kafka, with the feature builder consuming');
    const ingest = await ingestWorld(clients, world, MALFORMED);
    const catchUp = await featuresCaughtUp(clients, builder.options.groupId);
    await builder.close();
    console.log(`  ${ingest.events.toLocaleString('en')} events in ${ingest.seconds.toFixed(1)} s; features caught up ${catchUp.toFixed(1)} s after the last one`);

    step(3, 'building training samples with point-in-time features');
    const manifest = await buildSamples(clients, world);
    console.log(`  dataset ${manifest.datasetVersion}: ${manifest.sampleCount.toLocaleString('en')} samples, label rate ${fixed(manifest.labelRate ?? 0)}`);

    step(4, 'training a recall model (MF) and a ranking model (DeepFM), with the promotion gate');
    const recall = await trainAndPromote(clients, manifest.datasetVersion, 'mf', 'recall', Number(flags['recall-epochs']));
    const ranking = await trainAndPromote(clients, manifest.datasetVersion, 'deepfm', 'ranking', Number(flags['ranking-epochs']));

    step(5, 'serving recommendations from the production models');
    const lists = await serveRecommendations(clients, settings.REDIS_URL, ['u1', 'u2', 'unknown-user'], 5);
    for (const { userId, response } of lists) {
      const versions = `recall v${response.model_versions.recall ?? '-'}, ranking v${response.model_versions.ranking ?? '-'}`;
      console.log(`  ${userId} (${versions}${response.degraded ? `, degraded: ${response.degraded_reasons.join(', ')}` : ''}):`);
      console.log(formatTable(['#', 'item', 'score', 'source'], response.items.map((item) => [item.position, item.item_id, fixed(item.score), item.source])).replace(/^/gm, '    '));
    }

    step(6, 'summary');
    console.log(
      formatTable(
        ['model', 'role', 'HR@10', 'NDCG@10', 'AUC', 'popularity HR@10', 'version', 'promotion'],
        [recall, ranking].map(({ modelType, role, result, outcome }) => [
          modelType,
          role,
          fixed(result.metrics.hr_at_10),
          fixed(result.metrics.ndcg_at_10),
          fixed(result.metrics.auc),
          fixed(result.metrics.popularity_hr_at_10),
          outcome.version.versionId,
          outcome.promotion.promoted ? 'promoted' : `kept ${outcome.promotion.incumbentVersion}`,
        ]),
      ),
    );
    console.log(
      '\n' +
        formatTable(
          ['stage', 'figure'],
          [
            ['ingest rate (events/s)', Math.round(ingest.events / ingest.seconds)],
            ['rejected events (dead-lettered)', ingest.rejected],
            ['features caught up after ingest (s)', fixed(catchUp, 1)],
            ['training samples', manifest.sampleCount],
            ['training backend', recall.result.backend],
            ['total time (s)', fixed((performance.now() - started) / 1000, 1)],
          ],
        ),
    );
    console.log('\nnext: npm test runs the suite; npm run bench:<ingest|features|samples|train> measure each stage; npm run infra:down stops what infra:up started.');
  } finally {
    await Promise.allSettled([clients.redis.quit(), clients.pool.end()]);
  }
}

main().catch((error: Error) => {
  console.error(`demo failed: ${error.message}`);
  process.exit(1);
});
