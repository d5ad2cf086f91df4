/**
 * The demo's stages, each a function over shared clients and the running
 * apps' endpoints: ingest over HTTP, nearline features, samples, training
 * with the promotion gate, serving, and rounds of simulated users reacting
 * to what is served under an A/B test.
 */
import type { Kafka } from 'kafkajs';
import type pg from 'pg';
import { readExperiments, type ExperimentResult } from '@recstream/console';
import { endOffsets, waitForGroupCatchUp } from '@recstream/features';
import { IngestClient } from '@recstream/ingest';
import { ProgressBar, type Logger } from '@recstream/platform';
import { ModelRegistry } from '@recstream/registry';
import { SampleGenerator, type DatasetManifest } from '@recstream/samples';
import { DEFAULT_TOPIC_NAMES, type ModelKind, type ModelRole, type TopicNames } from '@recstream/schemas';
import { DEFAULT_WORLD_OPTIONS, SyntheticWorld, type ListRequest, type SimulatedAudience, type SimulatedClick, type SyntheticUser, type WorldOptions } from '@recstream/synth';
import { registerAndPromote, trainOnDataset, type RegisterOutcome, type TrainResult } from '@recstream/training';
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
  const events = [...world.upsertEvents(), ...world.interactionEvents(), ...malformed];
  const bar = new ProgressBar('ingesting over HTTP', events.length);
  // In order: batches landing out of order put events behind their partition's stream time, and the feature builder leaves those out.
  const client = new IngestClient({ ...ingester, ordered: true, onBatch: ({ accepted, rejected }) => bar.tick(accepted + rejected) });
  const sent = await client.send(events);
  const seconds = bar.finish();
  return { events: events.length, seconds, rejected: sent.rejected };
}

/** Waits until the feature builder has applied everything on the topics; returns the seconds waited. */
export async function featuresCaughtUp(clients: Clients, groupId: string, topics: TopicNames = DEFAULT_TOPIC_NAMES): Promise<number> {
  const started = performance.now();
  const admin = clients.kafka.admin();
  await admin.connect();
  try {
    const ends = await endOffsets(admin, [topics.events, topics.items, topics.users]);
    await waitForGroupCatchUp(admin, groupId, ends);
  } finally {
    await admin.disconnect();
  }
  return (performance.now() - started) / 1000;
}

/** The world of `options`, its period ending at today's midnight (UTC), so popularity windows and feature TTLs see it as recent. */
export function worldEndingToday(options: Partial<Omit<WorldOptions, 'start'>>): SyntheticWorld {
  const days = options.days ?? DEFAULT_WORLD_OPTIONS.days;
  return new SyntheticWorld({ ...options, start: Math.floor(Date.now() / 86_400_000 - days) * 86_400_000 });
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
  role: ModelRole;
  result: TrainResult;
  outcome: RegisterOutcome;
  seconds: number;
}

export async function trainAndPromote(clients: Clients, datasetVersion: string, modelType: ModelKind, role: ModelRole, maxEpochs: number): Promise<TrainedModel> {
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

/** Ranking models the loop trains on its samples; the promotion gate (validation AUC) decides which one serves. */
export const RANKING_CANDIDATES: readonly ModelKind[] = ['deepfm', 'din'];

/** The loop's models, each through the promotion gate: MF for recall, then every ranking candidate in turn. */
export async function trainModels(clients: Clients, datasetVersion: string, epochs: { recall: number; ranking: number }): Promise<TrainedModel[]> {
  const trained = [await trainAndPromote(clients, datasetVersion, 'mf', 'recall', epochs.recall)];
  for (const kind of RANKING_CANDIDATES) trained.push(await trainAndPromote(clients, datasetVersion, kind, 'ranking', epochs.ranking));
  return trained;
}

export async function recommend(serving: Endpoint, userId: string, k: number, context: Record<string, string | number>): Promise<RecommendationResponse> {
  return post(serving, '/v1/recommendations', { user_id: userId, k, context });
}

/** The list `variant` of the surface's experiment would serve, which serving records nowhere; the endpoint's key needs the admin scope. */
export async function previewVariant(serving: Endpoint, userId: string, k: number, context: Record<string, string | number>, variant: string): Promise<RecommendationResponse> {
  return post(serving, '/v1/recommendations/preview', { user_id: userId, k, context, variant });
}

async function post(serving: Endpoint, path: string, body: object): Promise<RecommendationResponse> {
  const reply = await fetch(`${serving.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${serving.apiKey}` },
    body: JSON.stringify(body),
  });
  if (!reply.ok) throw new Error(`serving answered ${reply.status}: ${await reply.text()}`);
  return (await reply.json()) as RecommendationResponse;
}

export interface ExperimentVariant {
  variant: string;
  share: number;
  /** experiment_variants.strategy: re-ranking overrides, and `online` (see libs/serving's Strategy). */
  strategy: Record<string, unknown>;
  recallVersion?: number;
  rankingVersion?: number;
}

export interface ExperimentPlan {
  /** Experiments whose ids start with it are switched off first, so serving runs this one; the id is it and `runId`. */
  prefix: string;
  runId: string;
  description: string;
  variants: readonly ExperimentVariant[];
}

/** The demo's A/B test: the production models with their default re-ranking against the same models with strong diversification. */
export const demoExperiment = (runId: string): ExperimentPlan => ({
  prefix: 'demo-',
  runId,
  description: 'demo: default re-ranking vs strong diversity',
  variants: [
    { variant: 'control', share: 0.5, strategy: {} },
    { variant: 'diverse', share: 0.5, strategy: { diversity: 0.7 } },
  ],
});

/** Starts an A/B test on the home surface, where the simulated rounds ask; returns its id. */
export async function startExperiment(pool: pg.Pool, plan: ExperimentPlan): Promise<string> {
  const experimentId = `${plan.prefix}${plan.runId}`;
  const { variants } = plan;
  // One statement, so all of it or none takes effect.
  await pool.query(
    `WITH retired AS (
       UPDATE experiments SET active = false WHERE experiment_id LIKE $2
     ), started AS (
       INSERT INTO experiments (experiment_id, description, surface)
       VALUES ($1, $3, 'home') RETURNING experiment_id
     )
     INSERT INTO experiment_variants (experiment_id, variant, share, strategy, recall_version, ranking_version)
     SELECT experiment_id, v.variant, v.share, v.strategy, v.recall_version, v.ranking_version
       FROM started, unnest($4::text[], $5::float8[], $6::jsonb[], $7::bigint[], $8::bigint[]) AS v (variant, share, strategy, recall_version, ranking_version)`,
    [
      experimentId,
      `${plan.prefix}%`,
      plan.description,
      variants.map((v) => v.variant),
      variants.map((v) => v.share),
      variants.map((v) => JSON.stringify(v.strategy)),
      variants.map((v) => v.recallVersion ?? null),
      variants.map((v) => v.rankingVersion ?? null),
    ],
  );
  return experimentId;
}

/** Where the loop's apps answer, and the feature builder's group and topics, to wait for it to apply a round's clicks. */
export interface LoopApps {
  serving: Endpoint;
  ingester: Endpoint;
  features: { groupId: string; topics?: TopicNames };
}

/** One list served in a round: the request as the world saw it (the audience's state before it reacted), the items and the clicks. */
export interface ServedList {
  request: ListRequest;
  variant: string | null;
  itemIds: string[];
  clicks: number;
  /** Served without some dependency (e.g. features past their read budget): the response's `degraded`. */
  degraded: boolean;
  /** With `RoundOptions.paired`: the lists the experiment's other variants would have served on the same request, by variant, which the user never saw. */
  counterfactuals?: Record<string, { itemIds: string[]; degraded: boolean }>;
}

/**
 * `paired`: also ask serving, right after each list and before the user
 * reacts, what the experiment's other variants would have served on the
 * same request (same user, context, time and audience state), as previews
 * that serving records nowhere, so the variants can be compared within
 * each request.
 */
export interface RoundOptions {
  paired?: { serving: Endpoint; variants: readonly string[] };
}

export interface RoundReport {
  /** In the order of the round's users. */
  lists: ServedList[];
  shown: number;
  clicks: number;
  /** From the last click sent to the feature builder having applied it. */
  featuresCaughtUpS: number;
}

/** Items per list the simulated users ask for, as the reference lists they are compared with hold. */
export const ROUND_LIST_SIZE = 10;

/**
 * One round of the closed loop: every user asks serving for a list on the
 * home surface, the simulated audience reacts, and the clicks go back
 * through the ingester (carrying the request id, which is how outcomes are
 * joined to exposures), so features, the online updater and the experiment
 * see them.
 */
export async function simulateRound(
  clients: Clients,
  apps: LoopApps,
  audience: SimulatedAudience,
  users: readonly SyntheticUser[],
  label: string,
  { paired }: RoundOptions = {},
): Promise<RoundReport> {
  const bar = new ProgressBar(label, users.length, 'users');
  const ingest = new IngestClient(apps.ingester);
  let clicks = 0;
  const lists: ServedList[] = new Array(users.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < users.length; i = next++) {
      const user = users[i]!;
      const context = { surface: 'home', device: user.device, time: Date.now() };
      const response = await recommend(apps.serving, user.id, ROUND_LIST_SIZE, context);
      const itemIds = response.items.map((item) => item.item_id);
      const variant = response.experiment?.variant ?? null;
      const counterfactuals = paired && variant !== null ? await previewOthers(paired.serving, paired.variants, variant, user.id, context) : undefined;
      // Read after serving answered: the clicks must follow the exposure, which serving stamps when it answers, not at context.time.
      const time = Date.now();
      const request = {
        user,
        context: { device: user.device, hour: new Date(time).getUTCHours() },
        time,
        previousCategory: audience.previousCategory(user.id),
        consumed: new Set(audience.clickedItems(user.id)),
      };
      const listClicks = audience.react({ requestId: response.request_id, userId: user.id, itemIds, device: user.device, time });
      // Sent as a client would, seconds after the list rather than after the round: the online updater labels exposures by their outcomes' arrival.
      if (listClicks.length > 0) await ingest.send(listClicks.map((click) => clickEvent(click, 'home')));
      clicks += listClicks.length;
      lists[i] = { request, variant, itemIds, clicks: listClicks.length, degraded: response.degraded, ...(counterfactuals && { counterfactuals }) };
      bar.tick();
    }
  };
  await Promise.all(Array.from({ length: ROUND_CONCURRENCY }, worker));
  bar.finish();
  const featuresCaughtUpS = await featuresCaughtUp(clients, apps.features.groupId, apps.features.topics);
  const shown = lists.reduce((sum, list) => sum + list.itemIds.length, 0);
  return { lists, shown, clicks, featuresCaughtUpS };
}

/** The lists `variants` other than `served` would give the same request, by variant. */
async function previewOthers(
  serving: Endpoint,
  variants: readonly string[],
  served: string,
  userId: string,
  context: Record<string, string | number>,
): Promise<NonNullable<ServedList['counterfactuals']>> {
  const others = variants.filter((variant) => variant !== served);
  const previews = await Promise.all(others.map((variant) => previewVariant(serving, userId, ROUND_LIST_SIZE, context, variant)));
  return Object.fromEntries(previews.map((preview, i) => [others[i]!, { itemIds: preview.items.map((item) => item.item_id), degraded: preview.degraded }]));
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

/** The demo experiment's per-variant CTRs, difference from the control and sample-ratio check, with users as the unit. */
export async function experimentResults(pool: pg.Pool, experimentId: string): Promise<ExperimentResult> {
  const [result] = await readExperiments(pool, { experimentId });
  if (!result) throw new Error(`experiment ${experimentId} is not in the experiments table; startExperiment creates it`);
  return result;
}
