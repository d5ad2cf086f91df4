import { HttpError, type HttpRequest, type HttpResponse } from '@recstream/platform';
import { fetchFailure } from './fetch-error.js';

/** Headers that carry the caller's API key, passed on so serving checks the same key. */
const CREDENTIAL_HEADERS = ['authorization', 'x-api-key'] as const;

/**
 * Forwards a recommendation request to the serving API and answers with its
 * status and body, so serving's own validation errors reach the page. The
 * caller's key goes along: an admin key also holds the serve scope.
 */
export async function proxyRecommendation(request: HttpRequest, servingUrl: string, timeoutMs: number): Promise<HttpResponse> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  for (const name of CREDENTIAL_HEADERS) {
    const value = request.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  const url = new URL('/v1/recommendations', servingUrl);
  // Read before the fetch, so the caller's own error (413, body too large) is not reported as serving's.
  const body = await request.body();
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw new HttpError(502, `serving at ${url.origin} is unreachable: ${fetchFailure(error, timeoutMs)}`);
  }
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) };
  } catch {
    throw new HttpError(502, `serving at ${url.origin} answered ${response.status} without JSON`);
  }
}
