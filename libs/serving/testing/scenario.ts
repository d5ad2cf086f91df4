/**
 * A seeded, self-consistent serving world for tests and the benchmark: a
 * catalogue in the offline store, clicks in the event log, user sequences
 * and item attributes in the online store, and trained recall (MF) and
 * ranking models registered as production. Everything is keyed by
 * `namespace`, so runs share Redis and Kafka without seeing each other.
 */
import type { RedisClient } from '@recstream/platform';
import type pg from 'pg';
import { OfflineStore, OnlineFeatureWriter, itemAttributes, userSequence, type HistoryRow, type ItemAttributes } from '@recstream/features';
import { createModel, fit, selectBackend, serializeModel, type FeatureSpec, type Interaction } from '@recstream/models';
import { ModelRegistry } from '@recstream/registry';
import type { InteractionEvent, ModelKind, SequenceEntry } from '@recstream/schemas';
import { Random } from '@recstream/synth';
import { vocabularyId } from '@recstream/models';

export interface ScenarioOptions {
  namespace: string;
  items: number;
  users: number;
  categories: number;
  interactionsPerUser: number;
  /** Clicks written to the event log (the first ones), for popularity. */
  loggedInteractions: number;
  /** Interactions the ranking model trains on (a sample; the recall model sees all). */
  rankingSamples: number;
  rankingKind: ModelKind;
  /** What the ranking model reads: ids only by default; a spec with model features has serving derive and log them per candidate. */
  rankingSpec: FeatureSpec;
  /** Items whose catalogue entry says unavailable: every `unavailableEvery`-th. */
  unavailableEvery: number;
  /** Items created within the last day: every `newEvery`-th. */
  newEvery: number;
  sequenceLength: number;
  epochs: number;
  now: number;
  seed: number;
}

export const DEFAULT_SCENARIO_OPTIONS: ScenarioOptions = {
  namespace: 'scenario',
  items: 300,
  users: 60,
  categories: 10,
  interactionsPerUser: 20,
  loggedInteractions: 1_000,
  rankingSamples: 2_000,
  rankingKind: 'neumf',
  rankingSpec: { contextFields: [], historyLength: 0 },
  unavailableEvery: 37,
  newEvery: 11,
  sequenceLength: 20,
  epochs: 3,
  now: Date.now(),
  seed: 5,
};

export const SCENARIO_DEVICES = ['mobile', 'desktop', 'tablet'] as const;

export interface Scenario {
  items: string[];
  users: string[];
  /** Each user's sequence in the online store, oldest first. */
  sequences: Map<string, string[]>;
  recallVersion: number;
  rankingVersion: number;
  /** The artifacts, for registering further versions. */
  recallArtifact: Uint8Array;
  rankingArtifact: Uint8Array;
}

export const itemId = (i: number) => `item-${i}`;
export const userId = (u: number) => `user-${u}`;

export async function seedScenario(deps: { pool: pg.Pool; redis: RedisClient }, options: Partial<ScenarioOptions> = {}): Promise<Scenario> {
  const o = { ...DEFAULT_SCENARIO_OPTIONS, ...options };
  const random = new Random(o.seed);
  const items = Array.from({ length: o.items }, (_, i) => itemId(i));
  const users = Array.from({ length: o.users }, (_, u) => userId(u));
  const interactions = generateInteractions(o, random);

  const offline = new OfflineStore(deps.pool, { namespace: o.namespace });
  const attributes = items.map((id, i): ItemAttributes => ({
    categories: [`cat-${i % o.categories}`],
    tags: [],
    available: i % o.unavailableEvery !== o.unavailableEvery - 1,
    created_time: o.now - (i % o.newEvery === 0 ? 3_600_000 : 30 * 86_400_000),
  }));
  const catalogue: HistoryRow[] = items.map((id, i) => ({ view: itemAttributes.name, entityId: id, eventTime: o.now - 86_400_000, values: attributes[i] }));
  for (const rows of chunks(catalogue, 5_000)) await offline.writeBatch({ events: [], history: rows });
  const clicks = interactions.slice(0, o.loggedInteractions).map((x, n) => clickEvent(o, x, n));
  for (const events of chunks(clicks, 5_000)) await offline.writeBatch({ events, history: [] });

  const online = new OnlineFeatureWriter(deps.redis, { namespace: o.namespace });
  const sequences = new Map<string, string[]>();
  const byUser = new Map<number, Interaction[]>();
  for (const x of interactions) byUser.set(x.userId, [...(byUser.get(x.userId) ?? []), x]);
  const sequenceWrites = [...byUser].map(([u, list]) => {
    const recent = list.sort((a, b) => a.timestamp - b.timestamp).slice(-o.sequenceLength);
    const entries: SequenceEntry[] = recent.map((x) => ({ item_id: itemId(x.itemId), type: 'click', time: x.timestamp }));
    sequences.set(userId(u), entries.map((e) => e.item_id));
    return { entity: 'user' as const, id: userId(u), view: userSequence.name, eventTime: o.now, values: { items: entries } };
  });
  const itemWrites = items.map((id, i) => ({ entity: 'item' as const, id, view: itemAttributes.name, eventTime: o.now - 86_400_000, values: attributes[i] }));
  for (const writes of chunks([...sequenceWrites, ...itemWrites], 5_000)) await online.writeViews(writes);

  const { recallArtifact, rankingArtifact } = await trainModels(o, interactions, random);
  const registry = new ModelRegistry(deps.pool);
  const recall = await registry.register({ role: 'recall', modelType: 'mf', metrics: {} }, recallArtifact);
  const ranking = await registry.register({ role: 'ranking', modelType: o.rankingKind, metrics: {} }, rankingArtifact);
  await registry.setProduction(recall.versionId);
  await registry.setProduction(ranking.versionId);
  return { items, users, sequences, recallVersion: recall.versionId, rankingVersion: ranking.versionId, recallArtifact, rankingArtifact };
}

/**
 * Users draw from three favourite categories, and within a category from
 * the low indices far more often (popularity). Each item also gets one
 * interaction, so the recall model learns a vector for all of them.
 */
function generateInteractions(o: ScenarioOptions, random: Random): Interaction[] {
  const perCategory = Math.ceil(o.items / o.categories);
  const out: Interaction[] = [];
  const time = () => o.now - Math.floor(random.next() * 6 * 86_400_000);
  for (let u = 0; u < o.users; u++) {
    const favourites = [random.int(o.categories), random.int(o.categories), random.int(o.categories)];
    for (let n = 0; n < o.interactionsPerUser; n++) {
      const item = random.pick(favourites) + o.categories * Math.floor(perCategory * random.next() ** 3);
      if (item < o.items) out.push({ userId: u, itemId: item, timestamp: time() });
    }
  }
  for (let i = 0; i < o.items; i++) out.push({ userId: i % o.users, itemId: i, timestamp: time() });
  return out;
}

async function trainModels(o: ScenarioOptions, interactions: Interaction[], random: Random) {
  // Models see vocabulary ids, as serving computes them from our string ids.
  const vocab = interactions.map((x) => ({ ...x, userId: vocabularyId(userId(x.userId)), itemId: vocabularyId(itemId(x.itemId)) }));
  const spec = { contextFields: [], historyLength: 0 };
  const recall = createModel('mf', spec, { dim: 16, seed: o.seed });
  await fit(recall, vocab, spec, { epochs: o.epochs, seed: o.seed });
  await selectBackend();
  const ranking = createModel(o.rankingKind, o.rankingSpec, { seed: o.seed });
  const sample = Array.from({ length: Math.min(o.rankingSamples, vocab.length) }, () => vocab[random.int(vocab.length)]!);
  await fit(ranking, sample, o.rankingSpec, { epochs: 1, seed: o.seed });
  const artifacts = { recallArtifact: serializeModel(recall), rankingArtifact: serializeModel(ranking) };
  recall.dispose();
  ranking.dispose();
  return artifacts;
}

function clickEvent(o: ScenarioOptions, x: Interaction, n: number): InteractionEvent {
  return {
    schema_version: 1,
    event_id: `${o.namespace}-click-${n}`,
    event_time: x.timestamp,
    type: 'click',
    user_id: userId(x.userId),
    item_id: itemId(x.itemId),
    context: { surface: 'home', device: SCENARIO_DEVICES[x.userId % SCENARIO_DEVICES.length]! },
  };
}

function chunks<T>(values: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size));
  return out;
}
