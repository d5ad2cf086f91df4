import { expect, it } from 'vitest';
import { HttpError, type HttpRequest } from '@recstream/platform';
import { proxyRecommendation } from './recommend-proxy.js';

it("reports the caller's body past the limit as 413, not as serving unreachable", async () => {
  const tooLarge = new HttpError(413, 'request body exceeds 1024 bytes; split it into smaller batches');
  const request: HttpRequest = { method: 'POST', path: '/api/recommend', query: new URLSearchParams(), headers: {}, clientAddress: '127.0.0.1', body: () => Promise.reject(tooLarge) };
  // Nothing listens on port 9: were the body read inside the fetch, this would be a 502.
  await expect(proxyRecommendation(request, 'http://127.0.0.1:9', 1_000)).rejects.toMatchObject({ status: 413 });
});
