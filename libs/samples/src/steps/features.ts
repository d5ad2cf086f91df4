import { ITEM_VIEWS, USER_VIEWS, sequencePointInTimeSql, type EntityName, type FeatureView } from '@recstream/features';
import type { BuildContext } from './context.js';
import { asOfReadsSql, asOfTimesSql, asOfValuesParams, asOfValuesSql } from './point-in-time.js';

/** The views each sample carries: the user's (activity, behaviour sequence, profile) and the item's (stats, attributes). */
export const SAMPLE_VIEWS: readonly FeatureView[] = [...USER_VIEWS, ...ITEM_VIEWS];

export const ENTITY_COLUMN: Record<EntityName, string> = { user: 'user_id', item: 'item_id' };
const keysTable = (entity: EntityName) => `s_keys_${entity}`;
export const featureTable = (view: FeatureView) => `s_pit_${view.name}`;
const asOfTable = (entity: EntityName) => `s_asof_${entity}`;
const historyViews = (entity: EntityName) => SAMPLE_VIEWS.filter((view) => view.entity === entity && view.offline === 'history');
/** An entity whose views all come from history rows has its feature rows keyed by the rows they read; the others by label time. */
const byRowsRead = (entity: EntityName) => SAMPLE_VIEWS.every((view) => view.entity !== entity || view.offline === 'history');

/**
 * Where an entity's feature rows come from: `rows(key, entity_id, ...)`, one per
 * feature row to write, and `reads(entity_id, sample_time, key, labels)`, the row
 * key of each (entity, label time) a sample joins on, with its label count.
 */
export function featureKeys(entity: EntityName): { rows: string; reads: string } {
  return byRowsRead(entity) ? { rows: `s_rows_${entity}`, reads: `s_reads_${entity}` } : { rows: keysTable(entity), reads: keysTable(entity) };
}

/**
 * Features are read as of one microsecond before the label's time: the
 * history row stamped at the labelled event itself already counts that
 * event (and serving read its features before the event happened).
 */
const AS_OF_OFFSET = "interval '1 microsecond'";

/**
 * Point-in-time features for s_labels: one key per distinct (entity, label
 * time), since the items of one served list share the user's features, then
 * one as-of pass per entity over all its history-backed views, then each
 * view's values into s_pit_<view>(key, values), keyed as featureKeys says.
 * An entity whose views are all history-backed (the item) gets one feature
 * row per distinct set of history rows read, since an item is shown at many
 * times between two of its stats rows; those rows already name the history
 * rows, so featureRowsSql reads their values straight from the history and
 * no s_pit table is built for them. Returns, per view, the share of labels
 * that found a value within TTL.
 */
export async function joinFeatures({ client, config }: BuildContext, onView: (view: string) => void = () => {}): Promise<Record<string, number>> {
  for (const entity of ['user', 'item'] as const) {
    await client.query(
      `CREATE TEMP TABLE ${keysTable(entity)} ON COMMIT DROP AS
       SELECT label_id, label_id AS key, entity_id, sample_time, label_time, labels FROM (
         SELECT row_number() OVER () AS label_id, ${ENTITY_COLUMN[entity]} AS entity_id, label_time AS sample_time,
                label_time - ${AS_OF_OFFSET} AS label_time, count(*) AS labels
           FROM s_labels GROUP BY ${ENTITY_COLUMN[entity]}, label_time) k`,
    );
    await client.query(`ANALYZE ${keysTable(entity)}`);
  }
  for (const entity of ['user', 'item'] as const) {
    if (historyViews(entity).length === 0) continue;
    if (byRowsRead(entity)) {
      const { rows, reads } = featureKeys(entity);
      const read = asOfReadsSql(keysTable(entity), historyViews(entity));
      await client.query(`CREATE TEMP TABLE ${reads} ON COMMIT DROP AS ${read.sql}`, read.params);
      const times = historyViews(entity).map((_, i) => `time_${i}`);
      await client.query(`CREATE TEMP TABLE ${rows} ON COMMIT DROP AS SELECT key, entity_id, ${times.join(', ')} FROM ${reads} WHERE first`);
      await client.query(`ANALYZE ${reads}; ANALYZE ${rows}`);
    } else {
      const asOf = asOfTimesSql(keysTable(entity), historyViews(entity));
      await client.query(`CREATE TEMP TABLE ${asOfTable(entity)} ON COMMIT DROP AS ${asOf.sql}`, asOf.params);
      await client.query(`ANALYZE ${asOfTable(entity)}`);
    }
  }
  const coverage: Record<string, number> = {};
  for (const view of SAMPLE_VIEWS) {
    const { reads } = featureKeys(view.entity);
    const index = historyViews(view.entity).indexOf(view);
    let found: string;
    if (byRowsRead(view.entity)) {
      // Every time a rows-read key holds is a history row of that view read within TTL.
      found = `r.time_${index} IS NOT NULL`;
    } else {
      if (view.offline !== 'history') {
        await sequenceFromLog(client, view, config.sequenceLength);
      } else {
        const sql = asOfValuesSql(asOfTable(view.entity), index);
        await client.query(`CREATE TEMP TABLE ${featureTable(view)} ON COMMIT DROP AS SELECT label_id AS key, "values" FROM (${sql}) v`, asOfValuesParams(view));
      }
      // Joined on key only; sorting a sample of the JSON values for their statistics is most of an ANALYZE's cost.
      await client.query(`ANALYZE ${featureTable(view)} (key)`);
      found = `r.key IN (SELECT key FROM ${featureTable(view)})`;
    }
    const { rows: share } = await client.query<{ share: number | null }>(
      `SELECT (sum(r.labels) FILTER (WHERE ${found}))::float8 / nullif(sum(r.labels), 0) AS share FROM ${reads} r`,
    );
    coverage[view.name] = share[0]!.share ?? 0;
    onView(view.name);
  }
  return coverage;
}

/**
 * A view the event log answers (the behaviour sequence): the feature store's
 * own point-in-time read of it, the user's latest `length` interactions at
 * or before each key's time, folded into the view's shape, oldest first.
 */
async function sequenceFromLog(client: BuildContext['client'], view: FeatureView, length: number): Promise<void> {
  await client.query(
    `CREATE TEMP TABLE ${featureTable(view)} ON COMMIT DROP AS
     SELECT label_id AS key, jsonb_build_object('items', jsonb_agg(jsonb_strip_nulls(jsonb_build_object('item_id', item_id, 'type', type, 'time', time::bigint, 'category', category)) ORDER BY time::bigint)) AS "values"
       FROM (${sequencePointInTimeSql(keysTable(view.entity), length)}) entries
      GROUP BY label_id`,
  );
}

/**
 * A SELECT of one entity's feature rows, (key, features), from its
 * featureKeys rows and its views' values: every view's values under its name, or the
 * view's defaults where none was within TTL. The values come from the s_pit
 * tables, or, for an entity keyed by the rows it reads, from those history
 * rows themselves, fetched by the history table's primary key. Fields missing
 * from a stored value (written before the view had them) read as their
 * defaults, as the online read decodes them. View names and defaults are
 * parameters $1.., a (name, defaults) pair per view.
 */
export function featureRowsSql(entity: EntityName): { sql: string; params: string[] } {
  const views = SAMPLE_VIEWS.filter((view) => view.entity === entity);
  const pairs = views.map((_, i) => `$${2 * i + 1}::text, $${2 * i + 2}::jsonb || coalesce(f_${i}."values", '{}'::jsonb)`);
  const joins = views.map((view, i) =>
    byRowsRead(entity)
      ? `LEFT JOIN feature_history f_${i} ON f_${i}.feature_view = $${2 * i + 1} AND f_${i}.entity_id = r.entity_id AND f_${i}.event_time = r.time_${historyViews(entity).indexOf(view)}`
      : `LEFT JOIN ${featureTable(view)} f_${i} ON f_${i}.key = r.key`,
  );
  return {
    sql: `SELECT r.key, jsonb_build_object(${pairs.join(', ')}) AS features FROM ${featureKeys(entity).rows} r ${joins.join(' ')}`,
    params: views.flatMap((view) => [view.name, JSON.stringify(view.defaults())]),
  };
}
