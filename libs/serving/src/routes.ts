import { HttpError, type HttpService } from '@recstream/platform';
import type { ServingMetrics } from './metrics.js';
import type { Recommender } from './recommender.js';
import { parseRequestFactory, type RequestLimits } from './request.js';

/** The API-key scope the recommendation route requires. */
export const SERVE_SCOPE = 'serve';

/**
 * POST /v1/recommendations with a JSON body (see request.ts) answers 200
 * with the ranked list, or 400 naming each bad field. Dependency outages
 * give a degraded 200, never a 500.
 */
export function registerServingRoutes(http: HttpService, recommender: Recommender, metrics: ServingMetrics, limits: RequestLimits): void {
  const parse = parseRequestFactory(limits);
  http.route('POST', '/v1/recommendations', async (request) => {
    let body: unknown;
    try {
      body = JSON.parse((await request.body()).toString('utf8'));
    } catch (error) {
      metrics.requests.inc({ outcome: 'bad_request' });
      if (error instanceof HttpError) throw error;
      throw new HttpError(400, 'invalid request: the body must be a JSON object', { errors: [{ field: '(body)', message: 'is not valid JSON' }] });
    }
    let parsed;
    try {
      parsed = parse(body);
    } catch (error) {
      metrics.requests.inc({ outcome: 'bad_request' });
      throw error;
    }
    return { status: 200, body: await recommender.recommend(parsed) };
  }, SERVE_SCOPE);
}
