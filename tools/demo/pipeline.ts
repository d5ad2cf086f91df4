/**
 * The demo's stages, each a function over shared clients and the running
 * apps' endpoints: ingest over HTTP, nearline features, samples, training
 * with the promotion gate, serving, and rounds of simulated users reacting
 * to what is served under an A/B test.
 */
import type { Kafka } from 'kafkajs';
import type pg from 'pg';
import { DEFAULT_FEATURE_BUILDER_OPTIONS, endOffsets, waitForGroupCatchUp } from '@recstream/features';
import { IngestClient } from '@recstream/ingest';
import { ProgressBar, type Logger } from '@recstream/platform';
import { ModelRegistry } from '@recstream/registry';
import { SampleGenerator, type DatasetManifest } from '@recstream/samples';
import { TOPICS } from '@recstream/schemas';
import type { SimulatedAudience, SimulatedClick, SyntheticUser, SyntheticWorld } from '@recstream/synth';
import { registerAndPromote, trainOnDataset, type RegisterOutcome, type TrainResult } from '@recstream/training';
import type { ModelKind } from '@recstream/models';
import type { RecommendationResponse } from '@recstream/serving';

export interface Clients {
  kafka: Kafka;
  pool: pg.Pool;
  logger: Logger;
}

export interface IngestReport {
  events: number;
  seconds: number;
  rejected: number;
}

/** Where a running app answers and the key the demo calls it with. */
export interface Endpoint {
  url: string;
  apiKey: string;
}

export async function ingestWorld(ingester: Endpoint, world: SyntheticWorld, malformed: readonly object[]): Promise<IngestReport> {
  const events = [...world.catalogEvents(), ...world.interactionEvents(), ...malformed];
  const bar = new ProgressBar('ingesting over HTTP', events.length);
  const client = new IngestClient({ ...ingester, onBatch: ({ accepted, rejected }) => bar.tick(accepted + rejected) });
  const sent = await client.send(events);
  const seconds = bar.finish();
  return { events: events.length, seconds, rejected: sent.rejected };
}

/** Waits until the feature builder has applied everything on the topics; returns the seconds waited. */
export async function featuresCaughtUp(clients: Clients, groupId: string): Promise<number> {
  const started = performance.now();
  const admin = clients.kafka.admin();
  await admin.connect();
  try {
    const ends = await endOffsets(admin, [TOPICS.events.name, TOPICS.items.name, TOPICS.users.name]);
    await waitForGroupCatchUp(admin, groupId, ends);
  } finally {
    await admin.disconnect();
  }
  return (performance.now() - started) / 1000;
}

export async function buildSamples(clients: Clients, world: SyntheticWorld): Promise<DatasetManifest> {
  const range = { from: world.options.start, to: world.options.start + world.options.days * 86_400_000 };
  const generator = new SampleGenerator(clients.pool);
  const { manifest } = await generator.generate({
    range,
    onProgress: (p) => process.stderr.write(`  ${p.step} (${(p.elapsedMs / 1000).toFixed(1)} s)\n`),
  });
  return manifest;
}

export interface TrainedModel {
  modelType: ModelKind;
  role: 'recall' | 'ranking';
  result: TrainResult;
  outcome: RegisterOutcome;
  seconds: number;
}

export async function trainAndPromote(clients: Clients, datasetVersion: string, modelType: ModelKind, role: 'recall' | 'ranking', maxEpochs: number): Promise<TrainedModel> {
  const started = performance.now();
  let bar: ProgressBar | undefined;
  const result = await trainOnDataset(clients.pool, {
    datasetVersion,
    modelType,
    role,
    maxEpochs,
    onProgress: (p) => {
      if (p.phase === 'train') {
        bar ??= new ProgressBar(`  ${modelType} epoch ${p.epoch + 1}`, p.total, 'samples');
        bar.tick(p.samples - bar.done);
      } else if (p.phase === 'validate') {
        bar?.finish();
        bar = undefined;
      }
    },
  });
  const outcome = await registerAndPromote(new ModelRegistry(clients.pool), clients.pool, result, {
    role,
    modelType,
    datasetVersion,
    codeVersion: 'demo',
    config: { seed: 1 },
  });
  return { modelType, role, result, outcome, seconds: (performance.now() - started) / 1000 };
}

export interface ServedList {
  userId: string;
  response: RecommendationResponse;
}

export async function recommend(serving: Endpoint, userId: string, k: number, context: Record<string, string>): Promise<RecommendationResponse> {
  const reply = await fetch(`${serving.url}/v1/recommendations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${serving.apiKey}` },
    body: JSON.stringify({ user_id: userId, k, context }),
  });
  if (!reply.ok) throw new Error(`serving answered ${reply.status}: ${await reply.text()}`);
  return (await reply.json()) as RecommendationResponse;
}

export const DEMO_EXPERIMENT_PREFIX = 'demo-';

/**
 * An A/B test for the simulated rounds: the production models with their
 * default re-ranking against the same models with strong diversification.
 * Earlier demo runs' experiments are switched off, so serving runs this one.
 */
export async function startExperiment(pool: pg.Pool, runId: string): Promise<string> {
  const experimentId = `${DEMO_EXPERIMENT_PREFIX}${runId}`;
  // One statement, so all of it or none takes effect.
  await pool.query(
    `WITH retired AS (
       UPDATE experiments SET active = false WHERE experiment_id LIKE $2
     ), started AS (
       INSERT INTO experiments (experiment_id, description, surface)
       VALUES ($1, 'demo: default re-ranking vs strong diversity', 'home') RETURNING experiment_id
     )
     INSERT INTO experiment_variants (experiment_id, variant, share, strategy)
     SELECT experiment_id, variant, 0.5, strategy::jsonb
       FROM started, (VALUES ('control', '{}'), ('diverse', '{"diversity": 0.7}')) AS v (variant, strategy)`,
    [experimentId, `${DEMO_EXPERIMENT_PREFIX}%`],
  );
  return experimentId;
}

export interface RoundReport {
  lists: number;
  shown: number;
  clicks: number;
  /** From the last click sent to the feature builder having applied it. */
  featuresCaughtUpS: number;
}

/**
 * One round of the closed loop: every user asks serving for a list on the
 * home surface, the simulated audience reacts, and the clicks go back
 * through the ingester (carrying the request id, which is how outcomes are
 * joined to exposures), so features, the online updater and the experiment
 * see them.
 */
export async function simulateRound(
  clients: Clients,
  endpoints: { serving: Endpoint; ingester: Endpoint },
  audience: SimulatedAudience,
  users: readonly SyntheticUser[],
  label: string,
): Promise<RoundReport> {
  const bar = new ProgressBar(label, users.length, 'users');
  const clicks: SimulatedClick[] = [];
  let shown = 0;
  const queue = [...users];
  const worker = async () => {
    for (let user = queue.shift(); user; user = queue.shift()) {
      const response = await recommend(endpoints.serving, user.id, 10, { surface: 'home', device: user.device });
      const itemIds = response.items.map((item) => item.item_id);
      shown += itemIds.length;
      clicks.push(...audience.react({ requestId: response.request_id, userId: user.id, itemIds, device: user.device, time: Date.now() }));
      bar.tick();
    }
  };
  await Promise.all(Array.from({ length: ROUND_CONCURRENCY }, worker));
  bar.finish();
  await new IngestClient(endpoints.ingester).send(clicks.map((click) => clickEvent(click, 'home')));
  const featuresCaughtUpS = await featuresCaughtUp(clients, DEFAULT_FEATURE_BUILDER_OPTIONS.groupId);
  return { lists: users.length, shown, clicks: clicks.length, featuresCaughtUpS };
}

/**
 * The click event a client sends for a simulated click: it carries the
 * request id, which is how outcomes join their exposures, and an event id
 * derived from it, so a resent click is deduplicated.
 */
export function clickEvent(click: SimulatedClick, surface?: string): Record<string, unknown> {
  return {
    event_id: `${click.requestId}:${click.itemId}:click`,
    type: 'click',
    user_id: click.userId,
    item_id: click.itemId,
    request_id: click.requestId,
    event_time: click.time,
    context: { ...(surface && { surface }), position: click.position, device: click.device },
  };
}

/** Requests in flight at once during a round, as several clients would send them. */
const ROUND_CONCURRENCY = 8;

export interface VariantResult {
  variant: string;
  exposures: number;
  users: number;
  clicks: number;
  ctr: number;
  ctrLow: number;
  ctrHigh: number;
}

/** Online CTR per variant with its 95% Wilson interval, from the BI view over the event log. */
export async function experimentResults(pool: pg.Pool, experimentId: string): Promise<VariantResult[]> {
  const { rows } = await pool.query(
    `SELECT variant, exposures::float8, users::float8, clicks::float8, ctr, ctr_ci_low, ctr_ci_high
       FROM experiment_variant_metrics WHERE experiment = $1 ORDER BY variant`,
    [experimentId],
  );
  return rows.map((row) => ({
    variant: row.variant,
    exposures: row.exposures,
    users: row.users,
    clicks: row.clicks,
    ctr: row.ctr,
    ctrLow: row.ctr_ci_low,
    ctrHigh: row.ctr_ci_high,
  }));
}
