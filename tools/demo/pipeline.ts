/**
 * The demo's stages, each a function over shared clients: ingest over HTTP,
 * nearline features, samples, training with the promotion gate, serving.
 */
import type { Kafka } from 'kafkajs';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { FeatureBuilder, endOffsets, waitForGroupCatchUp } from '@recstream/features';
import { IngestClient, Ingester } from '@recstream/ingest';
import { ProgressBar, type Logger } from '@recstream/platform';
import { ModelRegistry } from '@recstream/registry';
import { SampleGenerator, type DatasetManifest } from '@recstream/samples';
import { TOPICS } from '@recstream/schemas';
import type { SyntheticWorld } from '@recstream/synth';
import { registerAndPromote, trainOnDataset, type RegisterOutcome, type TrainResult } from '@recstream/training';
import type { ModelKind } from '@recstream/models';
import { ServingService, createServingRedis, type RecommendationResponse } from '@recstream/serving';

export interface Clients {
  kafka: Kafka;
  redis: Redis;
  pool: pg.Pool;
  logger: Logger;
}

export interface IngestReport {
  events: number;
  seconds: number;
  rejected: number;
}

/** Starts the feature builder first, so features are built while events stream in. */
export async function startFeatureBuilder(clients: Clients): Promise<FeatureBuilder> {
  const builder = new FeatureBuilder(clients, { port: 0, host: '127.0.0.1' });
  await builder.start();
  return builder;
}

export async function ingestWorld(clients: Clients, world: SyntheticWorld, malformed: readonly object[]): Promise<IngestReport> {
  const catalog = [...world.catalogEvents()];
  const interactions = [...world.interactionEvents()];
  const events = [...catalog, ...interactions, ...malformed];
  // In-process and without API keys: the demo is its own only caller.
  const ingester = new Ingester(clients.kafka, clients.logger, { port: 0, host: '127.0.0.1' });
  const port = await ingester.start();
  const bar = new ProgressBar('ingesting over HTTP', events.length);
  const client = new IngestClient({ url: `http://127.0.0.1:${port}`, onBatch: ({ accepted, rejected }) => bar.tick(accepted + rejected) });
  const sent = await client.send(events);
  const seconds = bar.finish();
  await ingester.close();
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

/** Starts serving on the production models and asks it for a list per user, as a client would over HTTP. */
export async function serveRecommendations(clients: Clients, redisUrl: string, userIds: readonly string[], k: number): Promise<ServedList[]> {
  const redis = createServingRedis(redisUrl, clients.logger);
  const serving = new ServingService({ ...clients, redis }, { port: 0, host: '127.0.0.1' });
  const port = await serving.start();
  try {
    const lists: ServedList[] = [];
    for (const userId of userIds) {
      const reply = await fetch(`http://127.0.0.1:${port}/v1/recommendations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user_id: userId, k, context: { surface: 'home', device: 'mobile' } }),
      });
      if (!reply.ok) throw new Error(`serving answered ${reply.status}: ${await reply.text()}`);
      lists.push({ userId, response: (await reply.json()) as RecommendationResponse });
    }
    return lists;
  } finally {
    await serving.close();
    redis.disconnect();
  }
}
