import { z } from 'zod';
import { HttpError } from '@recstream/platform';
import { Context, MAX_ID_LENGTH } from '@recstream/schemas';

export interface RequestLimits {
  defaultK: number;
  maxK: number;
}

const ids = z.array(z.string().min(1).max(MAX_ID_LENGTH)).max(1_000);

function requestSchema(limits: RequestLimits) {
  return z
    .object({
      user_id: z.string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') }).min(1, 'must not be empty').max(MAX_ID_LENGTH),
      k: z.number().int('must be a whole number').min(1).max(limits.maxK, `must be at most ${limits.maxK}`).default(limits.defaultK),
      /** The event contract's context (surface, device, page, locale, custom keys) plus `time`, epoch ms or ISO-8601. */
      context: Context.default({}),
      filters: z
        .object({
          /** Items not to return (e.g. already in the page). */
          exclude_items: ids.default([]),
          /** Only items in at least one of these categories. */
          categories: ids.optional(),
        })
        .strict()
        .default({ exclude_items: [] }),
    })
    .strict();
}

export type RecommendationRequest = z.infer<ReturnType<typeof requestSchema>> & { time: number };

/** Parses a request body; a 400 names every bad field. */
export function parseRequestFactory(limits: RequestLimits): (body: unknown) => RecommendationRequest {
  const schema = requestSchema(limits);
  return (body) => {
    const result = schema.safeParse(body);
    if (!result.success) {
      const errors = result.error.issues.map((issue) => ({ field: issue.path.join('.') || '(body)', message: issue.message }));
      throw new HttpError(400, `invalid request: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}`, { errors });
    }
    const time = requestTime(result.data.context.time);
    if (time === undefined) throw new HttpError(400, 'invalid request: context.time must be epoch ms or ISO-8601', { errors: [{ field: 'context.time', message: 'must be epoch ms or ISO-8601' }] });
    return { ...result.data, time };
  };
}

function requestTime(value: unknown): number | undefined {
  if (value === undefined) return Date.now();
  const ms = typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : Number.NaN;
  return Number.isFinite(ms) ? ms : undefined;
}
