import { HttpError, type HttpRequest, type HttpService } from '@recstream/platform';
import type { ServingMetrics } from './metrics.js';
import type { Recommender } from './recommender.js';
import { parsePreviewFactory, parseRequestFactory, type RequestLimits } from './request.js';

/** The API-key scope the recommendation route requires. */
export const SERVE_SCOPE = 'serve';
/** The scope a preview requires: it shows any variant to whoever asks, so it is for operators. */
export const PREVIEW_SCOPE = 'admin';

/**
 * POST /v1/recommendations with a JSON body (see request.ts) answers 200
 * with the ranked list, or 400 naming each bad field. Dependency outages
 * give a degraded 200, never a 500.
 *
 * POST /v1/recommendations/preview takes the same body plus `variant`, and
 * answers the list that variant of the surface's experiment would serve,
 * logging no exposures and counting nothing; 400 names `variant` when the
 * experiment has no such variant.
 */
export function registerServingRoutes(http: HttpService, recommender: Recommender, metrics: ServingMetrics, limits: RequestLimits): void {
  const parse = parseRequestFactory(limits);
  http.route('POST', '/v1/recommendations', async (request) => {
    let parsed;
    try {
      parsed = parse(await jsonBody(request));
    } catch (error) {
      metrics.requests.inc({ outcome: 'bad_request' });
      throw error;
    }
    return { status: 200, body: await recommender.recommend(parsed) };
  }, SERVE_SCOPE);

  const parsePreview = parsePreviewFactory(limits);
  http.route('POST', '/v1/recommendations/preview', async (request) => {
    const { variant, ...parsed } = parsePreview(await jsonBody(request));
    const response = await recommender.preview(parsed, variant);
    if (!response) {
      const message = `is not a variant of the experiment running on surface ${parsed.context.surface ?? '(none)'}`;
      throw new HttpError(400, `invalid request: variant ${message}`, { errors: [{ field: 'variant', message }] });
    }
    return { status: 200, body: response };
  }, PREVIEW_SCOPE);
}

async function jsonBody(request: HttpRequest): Promise<unknown> {
  try {
    return JSON.parse((await request.body()).toString('utf8'));
  } catch (error) {
    if (error instanceof HttpError) throw error;
    throw new HttpError(400, 'invalid request: the body must be a JSON object', { errors: [{ field: '(body)', message: 'is not valid JSON' }] });
  }
}
