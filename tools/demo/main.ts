/**
 * `npm run demo`: the whole loop on a generated demo world with planted
 * structure. The ingester, feature builder and serving run as background
 * apps, as deployed; events are ingested over HTTP into Kafka, the feature
 * builder keeps Redis and Postgres fresh, the sample generator builds a
 * dataset with point-in-time features, a recall and a ranking model are
 * trained, evaluated against popularity and put through the promotion gate,
 * serving answers from the production models under an A/B test, simulated
 * users react to what is served for a few rounds, and a summary of every
 * stage is printed. The apps are left running for exploration.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { ApiKeyStore } from '@recstream/auth';
import { sumByMetric } from '@recstream/console';
import { DEFAULT_FEATURE_BUILDER_OPTIONS } from '@recstream/features';
import { APP_PORTS, brokersFrom, createLogger, formatTable, type Estimate, type SampleRatioCheck } from '@recstream/platform';
import { DEFAULT_GATES } from '@recstream/registry';
import { createKafka } from '@recstream/streams';
import { SimulatedAudience } from '@recstream/synth';
import { APPS_DIR, startApp, stopBackgroundApps } from '../infra/apps.js';
import { infraSettings } from '../infra/settings.js';
import { LOOP_NEGATIVE_AFTER_MS, parseLoopOptions } from './options.js';
import {
  buildSamples,
  demoExperiment,
  experimentResults,
  featuresCaughtUp,
  ingestWorld,
  recommend,
  simulateRound,
  startExperiment,
  trainModels,
  RANKING_CANDIDATES,
  worldEndingToday,
  type Clients,
  type Endpoint,
  type LoopApps,
  type RoundReport,
} from './pipeline.js';
import { QUALITY_COLUMNS, listQuality, qualityRow, referenceListsFor, scoreLists, type ListQuality } from './quality.js';

/** Malformed input sent on purpose, to show where rejected events go. */
const MALFORMED = [
  { event_id: 'demo-bad-1', type: 'click', item_id: 'i1', event_time: '2026-03-01T10:00:00Z' },
  { event_id: 'demo-bad-2', type: 'teleport', user_id: 'u1', item_id: 'i1', event_time: 1772366400000 },
  { event_id: 'demo-bad-3', type: 'rating', user_id: 'u1', item_id: 'i1', event_time: 'soon' },
];

const STEPS = 7;
const step = (n: number, text: string) => console.log(`\n[${n}/${STEPS}] ${text}`);

/** How the summary names the promotion gates' metrics. */
const GATE_METRIC_NAMES = { hr_at_10: 'HR@10', auc: 'AUC' } as const;
/** Where the demo runs each app: their default ports, the same every run, so the printed URLs and the README's examples work. */
const PORTS = APP_PORTS;
const url = (port: number) => `http://127.0.0.1:${port}`;
const fixed = (value: number, digits = 4) => value.toFixed(digits);
const signed = (value: number) => `${value >= 0 ? '+' : ''}${fixed(value)}`;
/** Unbounded (fewer than two users) or absent intervals print as '-'. */
const interval = (estimate: Estimate | null, format = fixed) => (estimate && Number.isFinite(estimate.se) ? `${format(estimate.low)} .. ${format(estimate.high)}` : '-');
const sampleRatioLine = (check: SampleRatioCheck | null) =>
  check
    ? `sample ratio: chi-square ${fixed(check.chiSquare, 2)} (${check.degreesOfFreedom} df), p ${fixed(check.pValue)}; ${check.mismatch ? 'MISMATCH: users per variant are off their shares, so the comparison is not to be trusted' : 'users per variant match the shares'}`
    : 'sample ratio: no exposures yet';

async function main(): Promise<void> {
  const options = parseLoopOptions(process.argv.slice(2));
  const settings = infraSettings();
  const logger = createLogger('demo', 'warn');
  const clients: Clients = {
    kafka: createKafka({ clientId: 'recstream-demo', brokers: brokersFrom(settings.KAFKA_BROKERS), logger }),
    pool: new pg.Pool({ connectionString: settings.DATABASE_URL, max: 6 }),
    logger,
  };
  const world = worldEndingToday(options.world);
  const started = performance.now();
  try {
    step(1, `generating a world: ${world.users.length} users, ${world.items.length} items, ${world.options.days} days (seed ${world.options.seed})`);
    const stale = await stopBackgroundApps();
    if (stale.length) console.log(`  stopped the apps an earlier demo left running: ${stale.join(', ')}`);
    const { key } = await new ApiKeyStore(clients.pool).create(`demo-${new Date().toISOString()}`, ['ingest', 'serve', 'admin']);
    const infraEnv = { KAFKA_BROKERS: settings.KAFKA_BROKERS, DATABASE_URL: settings.DATABASE_URL, REDIS_URL: settings.REDIS_URL, LOG_LEVEL: 'info' };
    const ingester: Endpoint = { url: url(PORTS.ingester), apiKey: key };
    const serving: Endpoint = { url: url(PORTS.serving), apiKey: key };

    step(2, 'ingesting its events over HTTP into Kafka, with the feature builder consuming');
    await startApp('feature-builder', PORTS.featureBuilder, { env: infraEnv, background: true });
    await startApp('ingester', PORTS.ingester, { env: infraEnv, background: true });
    const ingest = await ingestWorld(ingester, world, MALFORMED);
    const catchUp = await featuresCaughtUp(clients, DEFAULT_FEATURE_BUILDER_OPTIONS.groupId);
    console.log(`  ${ingest.events.toLocaleString('en')} events in ${ingest.seconds.toFixed(1)} s; features caught up ${catchUp.toFixed(1)} s after the last one`);

    step(3, 'building training samples with point-in-time features');
    const manifest = await buildSamples(clients, world);
    console.log(`  dataset ${manifest.datasetVersion}: ${manifest.sampleCount.toLocaleString('en')} samples, label rate ${fixed(manifest.labelRate ?? 0)}`);

    step(4, `training a recall model (MF) and ranking models (${RANKING_CANDIDATES.join(', ')}), the promotion gate picking what serves`);
    const models = await trainModels(clients, manifest.datasetVersion, { recall: options.recallEpochs, ranking: options.rankingEpochs });

    step(5, 'serving recommendations from the production models, under an A/B test');
    const runId = randomUUID().slice(0, 8);
    const experimentId = await startExperiment(clients.pool, demoExperiment(runId));
    await startApp('serving', PORTS.serving, { env: infraEnv, background: true, readyTimeoutMs: 120_000 });
    const metricsTargets = Object.entries({ ingester: PORTS.ingester, 'feature-builder': PORTS.featureBuilder, serving: PORTS.serving, 'online-updater': PORTS.onlineUpdater })
      .map(([app, port]) => `${app}=${url(port)}/metrics`)
      .join(',');
    await startApp('console', PORTS.console, { env: { ...infraEnv, SERVING_URL: serving.url, METRICS_TARGETS: metricsTargets }, background: true });
    for (const userId of ['u1', 'u2', 'unknown-user']) {
      const response = await recommend(serving, userId, 5, { surface: 'home', device: 'mobile' });
      const versions = `recall v${response.model_versions.recall ?? '-'}, ranking v${response.model_versions.ranking ?? '-'}`;
      const variant = response.experiment ? `, variant ${response.experiment.variant}` : '';
      console.log(`  ${userId} (${versions}${variant}${response.degraded ? `, degraded: ${response.degraded_reasons.join(', ')}` : ''}):`);
      console.log(formatTable(['#', 'item', 'score', 'source'], response.items.map((item) => [item.position, item.item_id, fixed(item.score), item.source])).replace(/^/gm, '    '));
    }

    const { rounds } = options;
    step(6, `${rounds} rounds of ${options.roundUsers} simulated users reacting to what is served, with the online updater learning from them`);
    // A lineage of its own per run: it starts from this run's production models, not an earlier run's snapshots.
    await startApp('online-updater', PORTS.onlineUpdater, { env: { ...infraEnv, UPDATER_NAME: `demo-${runId}`, NEGATIVE_AFTER_MS: String(LOOP_NEGATIVE_AFTER_MS) }, background: true, readyTimeoutMs: 120_000 });
    const audience = new SimulatedAudience(world);
    const references = referenceListsFor(world);
    const roundUsers = world.users.slice(0, options.roundUsers);
    const loop: LoopApps = { serving, ingester, features: { groupId: DEFAULT_FEATURE_BUILDER_OPTIONS.groupId } };
    const reports: RoundReport[] = [];
    const quality: ListQuality[] = [];
    for (let round = 1; round <= rounds; round++) {
      const report = await simulateRound(clients, loop, audience, roundUsers, `  round ${round}`);
      reports.push(report);
      quality.push(listQuality(scoreLists(references, report.lists)));
      console.log(`  round ${round}: ${report.clicks} clicks on ${report.shown} items shown (CTR ${fixed(report.clicks / Math.max(report.shown, 1))}); features caught up ${fixed(report.featuresCaughtUpS, 1)} s after the clicks`);
    }
    const experiment = await experimentResults(clients.pool, experimentId);
    const updater = sumByMetric(await (await fetch(`${url(PORTS.onlineUpdater)}/metrics`)).text());

    step(7, 'summary');
    console.log(
      formatTable(
        ['model', 'role', 'HR@10', 'NDCG@10', 'AUC', 'popularity HR@10', 'gate', 'version', 'promotion'],
        models.map(({ modelType, role, result, outcome }) => [
          modelType,
          role,
          fixed(result.metrics.hr_at_10),
          fixed(result.metrics.ndcg_at_10),
          fixed(result.metrics.auc),
          fixed(result.metrics.popularity_hr_at_10),
          GATE_METRIC_NAMES[DEFAULT_GATES[role].metric],
          outcome.version.versionId,
          outcome.promotion.promoted ? 'promoted' : `kept ${outcome.promotion.incumbentVersion}`,
        ]),
      ),
    );
    console.log(
      'gate: the metric a new version must improve on the production one by a margin (a role\'s first version is promoted outright).\n' +
        'A ranking model orders the recall\'s candidates, so it is gated on AUC; its HR@10 over the whole catalogue is for comparison only.',
    );
    console.log(
      `\nexperiment ${experimentId} (online CTR per variant; 95% intervals over users, the unit serving buckets):\n` +
        formatTable(
          ['variant', 'users', 'exposures', 'dropped', 'clicks', 'CTR', 'CTR 95% CI', `vs ${experiment.control}`, 'difference 95% CI'],
          experiment.variants.map((v) => [
            v.variant,
            v.users,
            v.exposures,
            v.exposuresDropped,
            v.clicks,
            v.ctr ? fixed(v.ctr.rate) : '-',
            interval(v.ctr),
            v.versusControl ? signed(v.versusControl.rate) : '-',
            interval(v.versusControl, signed),
          ]),
        ) +
        `\n${sampleRatioLine(experiment.sampleRatio)}`,
    );
    console.log(
      '\nserved lists against reference lists on the same users, contexts, times and audience state (expected CTR under the world\'s truth):\n' +
        formatTable(['round', ...QUALITY_COLUMNS], quality.map((q, i) => [i + 1, ...qualityRow(q)])),
    );
    console.log(
      'random: live items; popular: most clicked in the logged data; logging: the policy that logged the training data;\n' +
        'heuristic: the user\'s clicked categories x category CTR in the context, counted from the logs; best: the top items under the true probabilities.\n' +
        'lift share: (served - random) / (best - random), from expected CTRs; npm run bench:quality measures it across rounds and worlds.',
    );
    const freshness = reports.map((r) => r.featuresCaughtUpS);
    console.log(
      '\n' +
        formatTable(
          ['stage', 'figure'],
          [
            ['ingest rate (events/s)', Math.round(ingest.events / ingest.seconds)],
            ['rejected events (dead-lettered)', ingest.rejected],
            ['features caught up after ingest (s)', fixed(catchUp, 1)],
            ['features caught up after a round\'s clicks, max (s)', fixed(Math.max(...freshness), 1)],
            ['online updater: examples learned', updater.get('online_updater_examples_total') ?? 0],
            ['online updater: rows published to serving', updater.get('online_updater_rows_published_total') ?? 0],
            ['online updater: guardrail tripped', (updater.get('online_updater_guardrail_tripped') ?? 0) > 0 ? 'yes' : 'no'],
            ['training samples', manifest.sampleCount],
            ['training backend', models[0]!.result.backend],
            ['total time (s)', fixed((performance.now() - started) / 1000, 1)],
          ],
        ),
    );
    console.log(`
still running, for exploration (logs and pids in ${APPS_DIR}):
  ingester         ${ingester.url}   POST /v1/events
  serving          ${serving.url}   POST /v1/recommendations
  feature builder  ${url(PORTS.featureBuilder)}   /metrics
  online updater   ${url(PORTS.onlineUpdater)}   /metrics
  console          ${url(PORTS.console)}   open it in a browser and paste the key
  API key (ingest, serve, admin): ${key}
  e.g. curl -s -H 'authorization: Bearer ${key}' -H 'content-type: application/json' -d '{"user_id":"u1","k":5}' ${serving.url}/v1/recommendations
next: docs/bi.md has queries for the Postgres views; npm test runs the suite; npm run bench:<area> measures each stage;
      npm run demo:stop stops these apps; npm run infra:down stops them and what infra:up started.`);
  } finally {
    await clients.pool.end();
  }
}

main().catch((error: Error) => {
  console.error(`demo failed: ${error.message}`);
  process.exit(1);
});
