import { z } from 'zod';
import { HttpError } from '@recstream/platform';
import { Context, EntityId, MAX_CONTEXT_KEYS } from '@recstream/schemas';

export interface RequestLimits {
  defaultK: number;
  maxK: number;
}

const ids = z.array(EntityId).max(1_000);

/** Context keys each exposure event sets itself; `time` is dropped from exposures. */
export const EXPOSURE_CONTEXT_KEYS: readonly string[] = ['position', 'recall_source'];
const EXPOSURE_KEY_ROOM = MAX_CONTEXT_KEYS - EXPOSURE_CONTEXT_KEYS.length;

/** The event contract's context plus `time`, with room left for the keys exposures add, so every exposure is a valid event. */
const requestContext = Context.refine(
  (context) => Object.keys(context).filter((key) => key !== 'time' && !EXPOSURE_CONTEXT_KEYS.includes(key)).length <= EXPOSURE_KEY_ROOM,
  `must have at most ${EXPOSURE_KEY_ROOM} keys besides time, position and recall_source`,
);

function requestSchema(limits: RequestLimits) {
  return z
    .object({
      user_id: EntityId,
      k: z.number().int('must be a whole number').min(1).max(limits.maxK, `must be at most ${limits.maxK}`).default(limits.defaultK),
      /** The event contract's context (surface, device, page, locale, custom keys) plus `time`, epoch ms or ISO-8601. */
      context: requestContext.default({}),
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

/** A preview's body: a recommendation request plus the experiment variant to serve it as. */
export type PreviewRequest = RecommendationRequest & { variant: string };

/** Parses a request body; a 400 names every bad field. */
export function parseRequestFactory(limits: RequestLimits): (body: unknown) => RecommendationRequest {
  return parserOf(requestSchema(limits));
}

/** Parses a preview's body, which names the variant besides the request's fields; a 400 names every bad field. */
export function parsePreviewFactory(limits: RequestLimits): (body: unknown) => PreviewRequest {
  return parserOf(requestSchema(limits).extend({ variant: z.string().min(1, 'must name an experiment variant') }));
}

function parserOf<Schema extends ReturnType<typeof requestSchema>>(schema: Schema): (body: unknown) => z.infer<Schema> & { time: number } {
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
