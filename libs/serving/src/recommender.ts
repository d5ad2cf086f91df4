import { randomUUID } from 'node:crypto';
import type { Logger } from '@recstream/platform';
import type { CovisitList, ItemFeatures, OnlineFeatureReader, UserFeatures } from '@recstream/features';
import type { InteractionEvent, ModelFeatures } from '@recstream/schemas';
import type { Catalog, CatalogItem } from './catalog.js';
import { withDeadline } from './deadline.js';
import { assign, assignNamed, modelPins, type Assignment, type Experiment } from './experiments/experiment.js';
import { samplePool, type Random } from './exploration.js';
import type { ExposureLog } from './exposure-log.js';
import { vocabularyId } from '@recstream/models';
import type { ServingMetrics, Stage } from './metrics.js';
import type { ModelLease, ModelStore } from './models/model-store.js';
import { EMPTY_POPULARITY, type Popularity, type ScoredItem } from './popularity.js';
import { scoreCandidates } from './ranking.js';
import { RecallLists } from './recall-lists.js';
import { DEFAULT_RECALL_OPTIONS, mergeCandidates, shortlist, type Candidate, type RecallOptions, type RecallSource } from './recall.js';
import type { RecommendationRequest } from './request.js';
import { DEFAULT_RERANK_OPTIONS, rerank, type RerankOptions, type Scored } from './rerank.js';
import { similarityFor } from './similarity.js';

export interface RecommenderOptions {
  recall: RecallOptions;
  rerank: RerankOptions;
  /** Budget of each Redis read; past it the request goes on without those features. */
  featureTimeoutMs: number;
  /** Candidates scored by the ranking model (the best by recall fusion); a request for more items gets k scored. */
  rankCandidates: number;
  /** The user's latest items used as co-visitation seeds, and neighbours read per seed. */
  covisitSeeds: number;
  covisitPerSeed: number;
  /** Items kept in the exploration pool. */
  explorationPoolSize: number;
  /** A failing dependency is logged at most once per interval, in ms. */
  warnIntervalMs: number;
}

export const DEFAULT_RECOMMENDER_OPTIONS: RecommenderOptions = {
  recall: DEFAULT_RECALL_OPTIONS,
  rerank: DEFAULT_RERANK_OPTIONS,
  featureTimeoutMs: 15,
  // The feature read and ranking both scale with this (docs/decisions/serving-request-path-cpu.md).
  rankCandidates: 150,
  covisitSeeds: 3,
  covisitPerSeed: 30,
  explorationPoolSize: 2_000,
  warnIntervalMs: 10_000,
};

/** Options as callers pass them: any subset, nested ones too. */
export type RecommenderOverrides = Partial<Omit<RecommenderOptions, 'recall' | 'rerank'>> & { recall?: Partial<RecallOptions>; rerank?: Partial<RerankOptions> };

/** Why a response was degraded: the dependency the request had to do without. */
export type DegradedReason = 'features_unavailable' | 'index_unavailable' | 'ranking_unavailable' | 'catalog_unavailable';

/** Why a response holds fewer than k items: fewer available items passed recall and the filters. */
export type TruncatedReason = 'too_few_candidates';

export interface RecommendedItem {
  item_id: string;
  score: number;
  position: number;
  /** The source that proposed the item first (ann, covisit, popular, trending, exploration), and all that did. */
  source: RecallSource;
  sources: RecallSource[];
}

export interface RecommendationResponse {
  request_id: string;
  user_id: string;
  items: RecommendedItem[];
  model_versions: { recall: number | null; ranking: number | null };
  experiment: { id: string; variant: string } | null;
  degraded: boolean;
  degraded_reasons: DegradedReason[];
  /** Set when fewer than k items came back. */
  truncated_reason: TruncatedReason | null;
  timings_ms: Partial<Record<Stage, number>>;
}

export interface RecommenderDeps {
  catalog: () => Catalog | undefined;
  popularity: () => Popularity | undefined;
  experiments: () => readonly Experiment[];
  models: ModelStore;
  features: OnlineFeatureReader;
  exposures: ExposureLog;
  metrics: ServingMetrics;
  logger: Logger;
  random: Random;
}

/**
 * One recommendation: experiment assignment, recall (ANN + rules), ranking
 * on online features, re-ranking, exposure logging. Each dependency that
 * fails or is missing is skipped and named in `degraded_reasons`; the
 * request still answers from what remains.
 */
export class Recommender {
  private readonly options: RecommenderOptions;
  private lists?: RecallLists;
  private readonly lastWarned = new Map<DegradedReason, number>();

  constructor(
    private readonly deps: RecommenderDeps,
    options: RecommenderOverrides = {},
  ) {
    const d = DEFAULT_RECOMMENDER_OPTIONS;
    this.options = { ...d, ...options, recall: { ...d.recall, ...options.recall }, rerank: { ...d.rerank, ...options.rerank } };
  }

  async recommend(request: RecommendationRequest): Promise<RecommendationResponse> {
    return this.serve(request, assign(this.deps.experiments(), request.user_id, request.context.surface), { record: true });
  }

  /**
   * The list the request would get as `variant` of the experiment on its
   * surface, whatever the user's bucket, recording nothing: no exposures
   * (the online updater and read-outs never see it) and no request metrics.
   * Undefined when that experiment has no such variant.
   */
  async preview(request: RecommendationRequest, variant: string): Promise<RecommendationResponse | undefined> {
    const assignment = assignNamed(this.deps.experiments(), request.context.surface, variant);
    return assignment && this.serve(request, assignment, { record: false });
  }

  private async serve(request: RecommendationRequest, assignment: Assignment | undefined, { record }: { record: boolean }): Promise<RecommendationResponse> {
    const started = performance.now();
    const timings: Partial<Record<Stage, number>> = {};
    const time = (stage: Stage, from: number) => void (timings[stage] = (timings[stage] ?? 0) + performance.now() - from);
    const degraded = new Set<DegradedReason>();
    const lease = this.deps.models.lease(modelPins(assignment?.variant));
    try {
      let stageStart = performance.now();
      const { user, covisited } = await this.readUserWithCovisits(request.user_id, degraded);
      time('features', stageStart);

      stageStart = performance.now();
      const catalog = this.deps.catalog();
      const lists = catalog && catalog.size > 0 ? this.recallLists(catalog, this.deps.popularity() ?? EMPTY_POPULARITY) : undefined;
      const candidates = this.recall(request, user, covisited, lease, lists, degraded);
      time('recall', stageStart);

      stageStart = performance.now();
      const shortlisted = shortlist(candidates, Math.max(this.options.rankCandidates, request.k), this.options.recall.annReserved);
      const itemFeatures = await this.readItems(shortlisted, degraded);
      time('features', stageStart);

      stageStart = performance.now();
      const { scored, features } = this.rank(request, user, shortlisted, itemFeatures, lease, degraded);
      time('ranking', stageStart);

      stageStart = performance.now();
      const settings = { ...this.options.rerank, ...assignment?.variant.strategy };
      const available = scored.filter((s) => s.features?.item_attributes.available !== false);
      const placed = rerank(
        {
          scored: available,
          k: request.k,
          now: request.time,
          popularity: (item) => lists?.itemPopularity.of(item) ?? 0,
          similarity: similarityFor(available.map((s) => s.candidate), lease.recall),
          random: this.deps.random,
        },
        settings,
      );
      time('rerank', stageStart);

      const response: RecommendationResponse = {
        request_id: randomUUID(),
        user_id: request.user_id,
        items: placed.map((p, position) => ({ item_id: p.itemId, score: round(p.score), position, source: p.sources[0]!, sources: p.sources })),
        model_versions: { recall: lease.recall?.version.versionId ?? null, ranking: lease.ranking?.version.versionId ?? null },
        experiment: assignment ? { id: assignment.experiment, variant: assignment.variant.name } : null,
        degraded: degraded.size > 0,
        degraded_reasons: [...degraded],
        truncated_reason: placed.length < request.k ? 'too_few_candidates' : null,
        timings_ms: timings,
      };
      time('total', started);
      if (record) {
        this.deps.exposures.log(exposureEvents(request, response, assignment, features));
        this.observe(response);
      }
      return response;
    } finally {
      lease.release();
    }
  }

  /** The user's features and the co-visitations of their latest items, which recall needs, in one read. */
  private async readUserWithCovisits(userId: string, degraded: Set<DegradedReason>): Promise<{ user?: UserFeatures; covisited: ScoredItem[] }> {
    try {
      const read = this.deps.features.readUserWithCovisits(userId, this.options.covisitSeeds, this.options.covisitPerSeed);
      const { user, covisited } = await withDeadline(read, this.options.featureTimeoutMs, 'reading user features');
      return { user, covisited: mergeCovisits(covisited) };
    } catch (error) {
      this.dependencyFailed('features_unavailable', error, degraded);
      return { covisited: [] };
    }
  }

  /** The candidates' features; the user's were read before recall. */
  private async readItems(shortlist: Candidate[], degraded: Set<DegradedReason>): Promise<ItemFeatures[] | undefined> {
    if (degraded.has('features_unavailable') || shortlist.length === 0) return undefined;
    try {
      const itemIds = shortlist.map((c) => c.item.id);
      return await withDeadline(this.deps.features.readItems(itemIds), this.options.featureTimeoutMs, 'reading candidate features');
    } catch (error) {
      this.dependencyFailed('features_unavailable', error, degraded);
      return undefined;
    }
  }

  private recall(
    request: RecommendationRequest,
    user: UserFeatures | undefined,
    covisited: ScoredItem[],
    lease: ModelLease,
    lists: RecallLists | undefined,
    degraded: Set<DegradedReason>,
  ): Candidate[] {
    if (!lists) {
      degraded.add('catalog_unavailable');
      return [];
    }
    const history = user?.user_sequence.items ?? [];
    const consumed = new Set(history.map((entry) => entry.item_id));
    const excluded = new Set(request.filters.exclude_items);
    const categories = request.filters.categories && new Set(request.filters.categories);
    const allowed = (item: CatalogItem) =>
      item.available && !consumed.has(item.id) && !excluded.has(item.id) && (!categories || item.categories.some((c) => categories.has(c)));

    let ann: { served: NonNullable<ModelLease['recall']>; labels: number[] } | undefined;
    const userVocabId = vocabularyId(request.user_id);
    // A user the model never saw, with no history either, has no meaningful query vector: cold start goes to the popular lists.
    if (lease.recall && (history.length > 0 || lease.recall.embedder.knowsUser(userVocabId))) {
      try {
        const query = lease.recall.embedder.userVector({ userId: request.user_id, userVocabId, time: request.time, context: request.context, user });
        ann = { served: lease.recall, labels: lease.recall.index.search(query, this.options.recall.annCandidates).labels };
      } catch (error) {
        this.dependencyFailed('index_unavailable', error, degraded);
      }
    } else if (!lease.recall) degraded.add('index_unavailable');

    return mergeCandidates(
      {
        catalog: lists.catalog,
        ann,
        rules: lists.rules(request.context.surface, request.context.device),
        covisited,
        exploration: samplePool(lists.exploration, this.options.recall.explorationCandidates * 2, this.deps.random),
        allowed,
      },
      this.options.recall,
    );
  }

  private rank(
    request: RecommendationRequest,
    user: UserFeatures | undefined,
    shortlist: Candidate[],
    itemFeatures: ItemFeatures[] | undefined,
    lease: ModelLease,
    degraded: Set<DegradedReason>,
  ): { scored: Scored[]; features?: ReadonlyMap<string, ModelFeatures> } {
    const withFeatures = (candidate: Candidate, i: number, score: number): Scored => ({ candidate, score, features: itemFeatures?.[i] });
    if (lease.ranking && shortlist.length > 0) {
      try {
        const input = { userId: request.user_id, user, items: itemFeatures, context: request.context, time: request.time, candidates: shortlist };
        const { scores, features } = scoreCandidates(lease.ranking, input);
        return {
          scored: shortlist.map((candidate, i) => withFeatures(candidate, i, scores[i]!)),
          features: features && new Map(shortlist.map((candidate, i) => [candidate.item.id, features[i]!])),
        };
      } catch (error) {
        this.dependencyFailed('ranking_unavailable', error, degraded);
      }
    } else if (!lease.ranking) degraded.add('ranking_unavailable');
    return { scored: shortlist.map((candidate, i) => withFeatures(candidate, i, candidate.fusedScore)) };
  }

  /** The rule-based lists of the current catalogue and popularity, resolved once per refresh. */
  private recallLists(catalog: Catalog, popularity: Popularity): RecallLists {
    if (this.lists?.catalog !== catalog || this.lists.popularity !== popularity) {
      this.lists = new RecallLists(catalog, popularity, { ruleCandidates: this.options.recall.ruleCandidates, explorationPoolSize: this.options.explorationPoolSize });
    }
    return this.lists;
  }

  private dependencyFailed(reason: DegradedReason, error: unknown, degraded: Set<DegradedReason>): void {
    degraded.add(reason);
    // One line per reason and interval: an outage fails every request, and logging each would cost the CPU it lacks.
    const now = Date.now();
    if (now - (this.lastWarned.get(reason) ?? 0) < this.options.warnIntervalMs) return;
    this.lastWarned.set(reason, now);
    this.deps.logger.warn({ err: error, reason }, 'serving without a dependency; the serving_degraded_total metric counts the affected responses');
  }

  private observe(response: RecommendationResponse): void {
    const { metrics } = this.deps;
    for (const [stage, ms] of Object.entries(response.timings_ms)) metrics.stage.observe({ stage }, ms / 1000);
    metrics.requests.inc({ outcome: response.degraded ? 'degraded' : 'ok' });
    for (const reason of response.degraded_reasons) metrics.degraded.inc({ reason });
  }
}

/** Co-visitation lists merged into one, each item's counts summed, highest first. */
function mergeCovisits(lists: readonly CovisitList[]): ScoredItem[] {
  const counts = new Map<string, number>();
  for (const list of lists) for (const { item_id, count } of list.items) counts.set(item_id, (counts.get(item_id) ?? 0) + count);
  return [...counts].map(([id, score]) => ({ id, score })).sort((a, b) => b.score - a.score);
}

/**
 * One exposure event per served item, valid per the event contract, with
 * the model features the ranker scored it with when it read any; event ids
 * are stable per request and position.
 */
export function exposureEvents(
  request: RecommendationRequest,
  response: RecommendationResponse,
  assignment: Assignment | undefined,
  features?: ReadonlyMap<string, ModelFeatures>,
): InteractionEvent[] {
  // `time` only steers scoring (hour, freshness); the exposure happens now, at event_time.
  const context = { ...request.context };
  delete context.time;
  const eventTime = Date.now();
  return response.items.map((item) => ({
    schema_version: 1,
    event_id: `${response.request_id}:${item.position}`,
    event_time: eventTime,
    type: 'exposure',
    user_id: request.user_id,
    item_id: item.item_id,
    context: { ...context, position: item.position, recall_source: item.source },
    request_id: response.request_id,
    ...(assignment && { experiment: assignment.experiment, variant: assignment.variant.name }),
    ...(features?.has(item.item_id) && { features: features.get(item.item_id) }),
  }));
}

const round = (x: number) => Math.round(x * 1e6) / 1e6;
