import { NonRetriableError } from '@recstream/platform';
import { at, type BuildContext } from './context.js';

/** What the label step found. */
interface LabelCounts {
  samples: number;
  positives: number;
}

/** What the range's event log holds, per event type, for explaining an empty dataset. */
interface RangeCounts {
  /** Events in the range per type. */
  byType: Record<string, number>;
  /** Ratings in the range at or above minRating. */
  ratingsAtMin: number;
  /** The whole log's first and last event times, epoch ms (null when empty). */
  logFrom: number | null;
  logTo: number | null;
}

/** A build that would publish a dataset nothing can be trained on; the message says why and what to change. */
export class EmptyDatasetError extends NonRetriableError {}

/**
 * Refuses, right after the label step (s_labels), a version without samples
 * or without positives: it would be marked ready and trained on, and every
 * metric of it would be meaningless. Counts what the range does hold, so the
 * error names the setting that gives samples.
 */
export async function refuseEmpty(ctx: BuildContext): Promise<void> {
  const { rows } = await ctx.client.query<LabelCounts>('SELECT count(*)::float8 AS samples, coalesce(sum(label), 0)::float8 AS positives FROM s_labels');
  const labels = rows[0]!;
  if (labels.samples > 0 && labels.positives > 0) return;
  const counts = await rangeCounts(ctx);
  throw new EmptyDatasetError(explainEmpty(ctx, labels, counts), { context: { datasetVersion: ctx.datasetVersion, range: ctx.range, ...counts } });
}

async function rangeCounts({ client, range, config }: BuildContext): Promise<RangeCounts> {
  const { rows } = await client.query<{ type: string; events: number; ratings_at_min: number }>(
    `SELECT type, count(*)::float8 AS events,
            (count(*) FILTER (WHERE type = 'rating' AND (payload->>'rating')::float8 >= $3))::float8 AS ratings_at_min
       FROM event_log WHERE event_time >= ${at('$1')} AND event_time < ${at('$2')} GROUP BY type ORDER BY type`,
    [range.from, range.to, config.minRating],
  );
  const span = await client.query<{ first: number | null; last: number | null }>(
    `SELECT (extract(epoch FROM min(event_time)) * 1000)::float8 AS first, (extract(epoch FROM max(event_time)) * 1000)::float8 AS last FROM event_log`,
  );
  return {
    byType: Object.fromEntries(rows.map((row) => [row.type, row.events])),
    ratingsAtMin: rows.reduce((sum, row) => sum + row.ratings_at_min, 0),
    logFrom: span.rows[0]?.first ?? null,
    logTo: span.rows[0]?.last ?? null,
  };
}

const iso = (ms: number) => new Date(ms).toISOString();
const list = (counts: Record<string, number>) =>
  Object.entries(counts)
    .map(([type, n]) => `${type} ${n}`)
    .join(', ');

/** The refusal's message: what was found, why it gave no samples (or positives), and the settings that would. */
function explainEmpty({ range, config }: Pick<BuildContext, 'range' | 'config'>, labels: LabelCounts, counts: RangeCounts): string {
  const where = `[${iso(range.from)}, ${iso(range.to)})`;
  const found = `${labels.samples} samples, ${labels.positives} positives`;
  const total = Object.values(counts.byType).reduce((sum, n) => sum + n, 0);
  if (total === 0) {
    const log = counts.logFrom === null ? 'the event log is empty' : `the event log spans ${iso(counts.logFrom)} to ${iso(counts.logTo!)}`;
    return `dataset not marked ready: ${found}; no events in ${where} (${log}); give --from and --to inside it`;
  }
  const interactions: Record<string, number> = {};
  for (const [type, n] of Object.entries(counts.byType)) if (type !== 'exposure') interactions[type] = n;
  const implicitUsable = config.implicitTypes.reduce((sum, type) => sum + (type === 'rating' ? counts.ratingsAtMin : (interactions[type] ?? 0)), 0);
  const exposures = counts.byType.exposure ?? 0;
  const hints: string[] = [];
  if (config.labelSource === 'exposures') {
    hints.push(
      exposures === 0
        ? `label source exposures found no exposure events in ${where}`
        : `label source exposures found ${exposures} exposures in ${where} but no ${config.labelOutcome} within the attribution window of ${config.attributionWindowMs} ms`,
    );
    if (implicitUsable > 0) hints.push(`the range holds ${implicitUsable} implicit positives of types ${config.implicitTypes.join(',')}: build with --label-source implicit (LABEL_SOURCE=implicit)`);
    else if (exposures > 0) hints.push('try a longer --attribution-window-ms or another --label-outcome');
  } else {
    hints.push(`label source implicit found no event of types ${config.implicitTypes.join(',')} (ratings from ${config.minRating}) in ${where}`);
    const ratingsBelow = (interactions.rating ?? 0) - counts.ratingsAtMin;
    if (config.implicitTypes.includes('rating') && ratingsBelow > 0) hints.push(`${ratingsBelow} ratings are below --min-rating ${config.minRating}: lower it`);
    const otherTypes = Object.keys(interactions).filter((type) => !(config.implicitTypes as readonly string[]).includes(type));
    if (otherTypes.length > 0) hints.push(`the range holds other interactions: add them with --implicit-types`);
    if (exposures > 0) hints.push(`the range holds ${exposures} exposures: --label-source exposures (LABEL_SOURCE=exposures) labels them by their outcomes`);
  }
  return `dataset not marked ready: ${found}; ${hints.join('; ')}. Events in range: ${list(counts.byType)}`;
}
