import type { RecommendationResponse, RecommendedItem } from '../src/recommender.js';

/** A response as the recommender gives it, for specs of what happens to it next: model versions 1 and 2, not degraded. */
export function servedResponse(requestId: string, items: RecommendedItem[], experiment: RecommendationResponse['experiment'] = null): RecommendationResponse {
  return {
    request_id: requestId,
    user_id: 'u1',
    items,
    model_versions: { recall: 1, ranking: 2 },
    experiment,
    degraded: false,
    degraded_reasons: [],
    truncated_reason: null,
    timings_ms: {},
  };
}
