/**
 * bench:quality: how good the loop's lists are, with the world's truth as
 * the referee. Runs the platform end to end as the demo does (HTTP ingest,
 * nearline features, samples, training with the promotion gate, serving,
 * the online updater) on a world from flags, in a database, topics and Redis
 * namespace of its own, on ports beside the demo's. Then rounds of
 * simulated users ask for lists under an A/B test: models that follow the
 * online updater's deltas against copies frozen at the offline versions.
 * Per round it reports the served CTR beside the expected CTR of reference
 * lists on the same requests, and at the end online minus frozen with a
 * 95% interval with the user as the unit (the delta method).
 *
 * Paired as well: on every request the bench also previews the variant the
 * user was not assigned (serving records previews nowhere), so both lists
 * are scored under the truth for the same user, context, time and audience
 * state; the user reacts to their own variant's list only. Figures
 * `online_minus_frozen_paired` with `_ci_low` / `_ci_high`: the mean over
 * requests of the online list's expected CTR minus the frozen list's, over
 * all users of both arms, with a 95% interval with the user as the cluster
 * (`pairedDifferenceInterval`); per round, `paired`, `paired_shared` (items
 * in both lists, of 10) and `paired_degraded` (requests where either list
 * was degraded) in the rounds' JSON and table.
 * Between-user variance cancels within a request, which dominates the
 * unpaired interval.
 */
import { Redis } from 'ioredis';
import { loadavg } from 'node:os';
import pg from 'pg';
import { ApiKeyStore } from '@recstream/auth';
import { sumByMetric } from '@recstream/console';
import { brokersFrom, createLogger, differenceInterval, pairedDifferenceInterval, ratioInterval, ratioMoments, sampleRatioMismatch, type RatioMoments } from '@recstream/platform';
import { ModelRegistry } from '@recstream/registry';
import { TOPICS, type TopicNames } from '@recstream/schemas';
import { createTestDatabase } from '@recstream/schemas/test-database';
import { createKafka } from '@recstream/streams';
import { SimulatedAudience } from '@recstream/synth';
import { DEFAULT_LOOP_OPTIONS, LOOP_NEGATIVE_AFTER_MS, parseLoopOptions, type LoopOptions } from '../demo/options.js';
import {
  buildSamples,
  featuresCaughtUp,
  ingestWorld,
  simulateRound,
  startExperiment,
  trainModels,
  worldEndingToday,
  type Clients,
  type ExperimentPlan,
  type LoopApps,
} from '../demo/pipeline.js';
import { QUALITY_COLUMNS, listQuality, pairedDifferences, qualityRow, referenceListsFor, scoreLists, type ListQuality, type PairedDifference, type ScoredList } from '../demo/quality.js';
import { startApp, stopApp } from '../infra/apps.js';
import { infraSettings } from '../infra/settings.js';
import { benchTopic, ensureBenchTopics } from './bench-topics.js';
import { removeKeys } from './redis-keys.js';
import { recordBenchmark, round, type BenchReport } from './report.js';

/** Beside the demo's 8080-8085, so a demo can run at the same time. */
const PORTS = { ingester: 8090, serving: 8091, featureBuilder: 8092, onlineUpdater: 8093 } as const;
/**
 * More rounds than the demo's, and by default every user of the world in
 * each: users are the interval's unit, so the online-versus-frozen interval
 * narrows with them and means something.
 */
function qualityOptions(args: readonly string[]): LoopOptions {
  const { world } = parseLoopOptions(args, { ...DEFAULT_LOOP_OPTIONS, roundUsers: 1 });
  return parseLoopOptions(args, { ...DEFAULT_LOOP_OPTIONS, rounds: 6, roundUsers: world.users });
}
const VARIANTS = { online: 'online', frozen: 'frozen' } as const;
const say = (line: string) => console.error(`[bench:quality] ${line}`);
const url = (port: number) => `http://127.0.0.1:${port}`;

/** Online against frozen: the production models, which take the updater's deltas, and copies of the same offline versions that never do. */
function onlineExperiment(runId: string, versions: { recall: number; ranking: number }): ExperimentPlan {
  return {
    prefix: 'quality-',
    runId,
    description: 'bench:quality: models following online deltas vs the same versions frozen',
    variants: [
      { variant: VARIANTS.online, share: 0.5, strategy: {} },
      { variant: VARIANTS.frozen, share: 0.5, strategy: { online: 'frozen' }, recallVersion: versions.recall, rankingVersion: versions.ranking },
    ],
  };
}

/** Per user of `variant`, exposures (x) with realised and expected clicks (y) summed over every round: the user is the unit of the interval. */
function userTotals(scored: readonly ScoredList[], variant: string): { clicks: RatioMoments; expected: RatioMoments } {
  const users = new Map<string, { exposures: number; clicks: number; expected: number }>();
  for (const { list, expectedCtr } of scored) {
    if (list.variant !== variant) continue;
    const user = users.get(list.request.user.id) ?? { exposures: 0, clicks: 0, expected: 0 };
    user.exposures += list.itemIds.length;
    user.clicks += list.clicks;
    user.expected += expectedCtr * list.itemIds.length;
    users.set(list.request.user.id, user);
  }
  const all = [...users.values()];
  return { clicks: ratioMoments(all.map((u) => ({ x: u.exposures, y: u.clicks }))), expected: ratioMoments(all.map((u) => ({ x: u.exposures, y: u.expected }))) };
}

/** Online minus frozen within requests, each user's requests summed: the user is the cluster of the interval. */
function pairedInterval(differences: readonly PairedDifference[]) {
  const users = new Map<string, { pairs: number; difference: number }>();
  for (const { userId, difference } of differences) {
    const user = users.get(userId) ?? { pairs: 0, difference: 0 };
    user.pairs++;
    user.difference += difference;
    users.set(userId, user);
  }
  return pairedDifferenceInterval(users.values());
}

const mean = (values: readonly number[]) => values.reduce((sum, x) => sum + x, 0) / Math.max(1, values.length);

async function metrics(port: number): Promise<Map<string, number>> {
  return sumByMetric(await (await fetch(`${url(port)}/metrics`)).text());
}

async function main(): Promise<void> {
  const options = qualityOptions(process.argv.slice(2));
  const settings = infraSettings();
  const brokers = brokersFrom(settings.KAFKA_BROKERS);
  const id = Date.now().toString(36);
  const run = `bench-quality-${id}`;
  const specs = (Object.keys(TOPICS) as (keyof TopicNames)[]).map((name) => [name, benchTopic(`quality-${id}`, TOPICS[name])] as const);
  const topics = Object.fromEntries(specs.map(([name, spec]) => [name, spec.name])) as TopicNames;
  const world = worldEndingToday(options.world);
  const started = performance.now();
  await ensureBenchTopics(brokers, specs.map(([, spec]) => spec));
  const database = await createTestDatabase(settings.DATABASE_URL);
  const redis = new Redis(settings.REDIS_URL);
  const logger = createLogger('bench-quality', 'warn');
  const clients: Clients = { kafka: createKafka({ clientId: run, brokers, logger }), pool: new pg.Pool({ connectionString: database.url, max: 6 }), logger };
  const apps: Awaited<ReturnType<typeof startApp>>[] = [];
  // Recorded once the apps have stopped: their output shares stdout, whose last line must be the report's.
  let report: BenchReport | undefined;
  try {
    const keys = new ApiKeyStore(clients.pool);
    const { key } = await keys.create(run, ['ingest', 'serve'], 100_000);
    // Previews show any variant, so they take an operator's scope; the round's own requests keep the app's key.
    const { key: previewKey } = await keys.create(`${run}-preview`, ['admin'], 100_000);
    const shared = {
      KAFKA_BROKERS: settings.KAFKA_BROKERS,
      REDIS_URL: settings.REDIS_URL,
      DATABASE_URL: database.url,
      EVENTS_TOPIC: topics.events,
      ITEMS_TOPIC: topics.items,
      USERS_TOPIC: topics.users,
      DEAD_LETTER_TOPIC: topics.deadLetter,
      FEATURE_NAMESPACE: run,
      ONLINE_DELTA_PREFIX: run,
    };
    const loop: LoopApps = {
      ingester: { url: url(PORTS.ingester), apiKey: key },
      serving: { url: url(PORTS.serving), apiKey: key },
      features: { groupId: `${run}.features`, topics },
    };

    say(`world: ${JSON.stringify(world.options)}`);
    say('ingesting the world over HTTP, the feature builder consuming');
    apps.push(await startApp('feature-builder', PORTS.featureBuilder, { env: { ...shared, GROUP_ID: loop.features.groupId } }));
    apps.push(await startApp('ingester', PORTS.ingester, { env: shared }));
    const ingest = await ingestWorld(loop.ingester, world, []);
    await featuresCaughtUp(clients, loop.features.groupId, topics);
    say(`${ingest.events.toLocaleString('en')} events in ${round(ingest.seconds, 1)} s; building samples`);
    const manifest = await buildSamples(clients, world);
    say(`dataset ${manifest.datasetVersion}: ${manifest.sampleCount.toLocaleString('en')} samples; training with the promotion gate`);
    const trained = await trainModels(clients, manifest.datasetVersion, { recall: options.recallEpochs, ranking: options.rankingEpochs });
    const registry = new ModelRegistry(clients.pool);
    const [recall, ranking] = await Promise.all([registry.production('recall'), registry.production('ranking')]);
    if (!recall || !ranking) throw new Error('training promoted no recall or no ranking model; see the gate lines above');
    const plan = onlineExperiment(id, { recall: recall.versionId, ranking: ranking.versionId });
    const experimentId = await startExperiment(clients.pool, plan);

    say(`serving recall v${recall.versionId} (${recall.modelType}) and ranking v${ranking.versionId} (${ranking.modelType}) under ${experimentId}; starting the online updater`);
    apps.push(await startApp('serving', PORTS.serving, { env: shared, readyTimeoutMs: 120_000 }));
    const updaterEnv = { ...shared, UPDATER_NAME: `${run}.updater`, NEGATIVE_AFTER_MS: String(LOOP_NEGATIVE_AFTER_MS) };
    apps.push(await startApp('online-updater', PORTS.onlineUpdater, { env: updaterEnv, readyTimeoutMs: 120_000 }));

    const audience = new SimulatedAudience(world);
    const references = referenceListsFor(world);
    const users = world.users.slice(0, options.roundUsers);
    const scored: ScoredList[] = [];
    const paired: PairedDifference[] = [];
    const pairing = { paired: { serving: { url: loop.serving.url, apiKey: previewKey }, variants: Object.values(VARIANTS) } };
    const rounds: (ListQuality & { round: number; frozen_ctr: number; frozen_expected_ctr: number; frozen_degraded: number; paired: number; paired_shared: number; paired_degraded: number })[] = [];
    for (let r = 1; r <= options.rounds; r++) {
      const served = await simulateRound(clients, loop, audience, users, `[bench:quality] round ${r}/${options.rounds}`, pairing);
      const roundScored = scoreLists(references, served.lists);
      const roundPaired = pairedDifferences(references, served.lists, VARIANTS.online, VARIANTS.frozen);
      const pairedDegraded = served.lists.filter((list) => list.degraded || Object.values(list.counterfactuals ?? {}).some((c) => c.degraded)).length;
      scored.push(...roundScored);
      paired.push(...roundPaired);
      const pairedMean = mean(roundPaired.map((p) => p.difference));
      const pairedShared = mean(roundPaired.map((p) => p.shared));
      const online = listQuality(roundScored.filter((s) => s.list.variant === VARIANTS.online));
      const frozen = listQuality(roundScored.filter((s) => s.list.variant === VARIANTS.frozen));
      rounds.push({ round: r, ...online, frozen_ctr: frozen.ctr, frozen_expected_ctr: frozen.expected_ctr, frozen_degraded: frozen.degraded, paired: pairedMean, paired_shared: pairedShared, paired_degraded: pairedDegraded });
      say(`round ${r}: online CTR ${online.ctr.toFixed(4)} (expected ${online.expected_ctr.toFixed(4)}), frozen ${frozen.ctr.toFixed(4)} (expected ${frozen.expected_ctr.toFixed(4)}); random ${online.random_ctr.toFixed(4)}, best ${online.best_ctr.toFixed(4)}, lift share ${online.lift_share.toFixed(3)}; degraded lists ${online.degraded} online, ${frozen.degraded} frozen; paired online - frozen ${pairedMean.toFixed(4)} over ${roundPaired.length} requests, ${pairedShared.toFixed(1)} items in both lists`);
    }

    const [online, frozen] = [userTotals(scored, VARIANTS.online), userTotals(scored, VARIANTS.frozen)];
    const difference = (a: RatioMoments, b: RatioMoments) => differenceInterval(ratioInterval(a), ratioInterval(b));
    const [expected, clicks] = [difference(online.expected, frozen.expected), difference(online.clicks, frozen.clicks)];
    const pairedAll = pairedInterval(paired);
    const [updater, serving] = [await metrics(PORTS.onlineUpdater), await metrics(PORTS.serving)];
    const first = rounds[0]!;
    const last = rounds.at(-1)!;
    const rounded = (x: number) => round(x, 4);
    report = {
      area: 'quality',
      args: process.argv.slice(2),
      figures: {
        ctr_over_random_round1: round(first.expected_ctr / first.random_ctr, 3),
        ctr_over_heuristic_round1: round(first.expected_ctr / first.heuristic_ctr, 3),
        lift_share_first: round(first.lift_share, 4),
        lift_share_last: round(last.lift_share, 4),
        online_minus_frozen: rounded(expected.rate),
        online_minus_frozen_ci_low: rounded(expected.low),
        online_minus_frozen_ci_high: rounded(expected.high),
        online_minus_frozen_clicks: rounded(clicks.rate),
        online_minus_frozen_clicks_ci_low: rounded(clicks.low),
        online_minus_frozen_clicks_ci_high: rounded(clicks.high),
        online_minus_frozen_paired: rounded(pairedAll.rate),
        online_minus_frozen_paired_ci_low: rounded(pairedAll.low),
        online_minus_frozen_paired_ci_high: rounded(pairedAll.high),
        paired_requests: paired.length,
        online_users: online.expected.units,
        frozen_users: frozen.expected.units,
        sample_ratio_p_value: round(sampleRatioMismatch([online.expected.units, frozen.expected.units], plan.variants.map((v) => v.share)).pValue, 4),
        updater_examples: updater.get('online_updater_examples_total') ?? 0,
        updater_rows_published: updater.get('online_updater_rows_published_total') ?? 0,
        serving_delta_rows_applied: serving.get('serving_model_delta_rows_total') ?? 0,
        serving_degraded_responses: serving.get('serving_degraded_total') ?? 0,
        guardrail_tripped: (updater.get('online_updater_guardrail_tripped') ?? 0) > 0,
        training_samples: manifest.sampleCount,
        models: trained.map((m) => m.modelType).join(' + '),
        ranking_model: ranking.modelType,
        seconds: round((performance.now() - started) / 1000, 1),
        load_average_1m: round(loadavg()[0]!),
      },
      structured: {
        rounds: rounds.map((q) => Object.fromEntries(Object.entries(q).map(([name, value]) => [name, Number.isInteger(value) ? value : rounded(value)]))),
        world: world.options,
        loop: { rounds: options.rounds, round_users: options.roundUsers, recall_epochs: options.recallEpochs, ranking_epochs: options.rankingEpochs, negative_after_ms: LOOP_NEGATIVE_AFTER_MS },
      },
      details: [
        `World: ${JSON.stringify(world.options)}; ${options.rounds} rounds of ${options.roundUsers} users, one 10-item list each per round (surface home).`,
        '',
        'Per round, the variant that follows the online deltas (the production path), against reference lists on the same requests:',
        '',
        `| round | ${QUALITY_COLUMNS.join(' | ')} | frozen CTR (clicks) | frozen CTR (expected) | degraded lists (online, frozen) | paired online - frozen (expected) | items in both lists | paired requests degraded |`,
        `|${'---|'.repeat(QUALITY_COLUMNS.length + 7)}`,
        ...rounds.map(
          (q) =>
            `| ${q.round} | ${qualityRow(q).join(' | ')} | ${q.frozen_ctr.toFixed(4)} | ${q.frozen_expected_ctr.toFixed(4)} | ${q.degraded}, ${q.frozen_degraded} | ${q.paired.toFixed(4)} | ${q.paired_shared.toFixed(1)} | ${q.paired_degraded} |`,
        ),
        '',
        'CTR (clicks) is measured from the simulated clicks; every other CTR is expected under the world\'s truth (`SyntheticWorld.clickProbability`), on the same user, device, hour, time and',
        'previous category as the served list, a click carrying its category down the list exactly. random: live items; popular: most clicked in the logged (ingested) events;',
        'logging: a list drawn by the policy that logged the training data; heuristic: the user\'s clicked categories x the category\'s CTR in the device and part of the day, both counted',
        'from the logged events; best: the 10 items with the highest true probability (a near-ceiling: it does not plan for a click changing the previous category).',
        'lift_share = (expected served - random) / (best - random); ctr_over_random_round1 and ctr_over_heuristic_round1 use expected CTRs too (far less noise than clicks).',
        'Degraded lists were served without a dependency (mostly features, when a Redis read passed its budget under load), e.g. ranked on the features\' defaults.',
        'online_minus_frozen: expected CTR of the variant following online deltas minus that of copies of the same offline versions that take none, pooled over all rounds, with a 95%',
        'delta-method interval with the user as the unit (libs/platform statistics, as experiment read-outs use; a user\'s lists move together); the _clicks figures use realised clicks.',
        'online_minus_frozen_paired: on every request the variant the user was not assigned is previewed too (serving logs no exposure for it; the user sees their own variant\'s list only),',
        'and the online list\'s expected CTR minus the frozen list\'s is averaged over the requests of all users, a 95% interval with the user as the cluster (pairedDifferenceInterval):',
        'the same users, context and state on both sides, so users\' differences cancel. The table\'s paired column is that mean per round, "items in both lists" the mean overlap of the two lists (of 10); "paired requests degraded" had either list degraded.',
        'sample_ratio_p_value: chi-square test of online_users and frozen_users against the experiment\'s shares; under 0.001 the split is off and the A/B figures are not to be trusted.',
        `The online updater makes an unclicked exposure a ranking negative after ${LOOP_NEGATIVE_AFTER_MS / 1000} s: simulated users click at once, and production's wait is longer than all the rounds together.`,
        `Apps as their own processes on ports ${PORTS.ingester}-${PORTS.onlineUpdater}, with a database, topics and Redis namespace of the bench's own; 2 cores shared with Kafka, Postgres,`,
        'Redis and other work (load_average_1m at the end).',
      ],
    };
  } finally {
    await Promise.allSettled(apps.map((child) => stopApp(child)));
    await clients.pool.end();
    await database.drop();
    await removeKeys(redis, run);
    redis.disconnect();
    const admin = clients.kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: Object.values(topics) }).catch((error: Error) => say(`deleting the bench's topics failed (they expire in an hour): ${error.message}`));
    await admin.disconnect();
  }
  if (report) recordBenchmark(report);
}

main().catch((error: Error) => {
  console.error(`bench:quality failed: ${error.message}`);
  process.exit(1);
});
