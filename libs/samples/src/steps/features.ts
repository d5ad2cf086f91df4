import { ITEM_VIEWS, USER_VIEWS, sequencePointInTimeSql, type EntityName, type FeatureView } from '@recstream/features';
import type { BuildContext } from './context.js';
import { asOfTimesSql, asOfValuesParams, asOfValuesSql } from './point-in-time.js';

/** The views each sample carries: the user's (activity, behaviour sequence, profile) and the item's (stats, attributes). */
export const SAMPLE_VIEWS: readonly FeatureView[] = [...USER_VIEWS, ...ITEM_VIEWS];

export const ENTITY_COLUMN: Record<EntityName, string> = { user: 'user_id', item: 'item_id' };
export const keysTable = (entity: EntityName) => `s_keys_${entity}`;
export const featureTable = (view: FeatureView) => `s_pit_${view.name}`;
const asOfTable = (entity: EntityName) => `s_asof_${entity}`;
const historyViews = (entity: EntityName) => SAMPLE_VIEWS.filter((view) => view.entity === entity && view.offline === 'history');

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
 * view's values into s_pit_<view>(label_id, values). Returns, per view, the
 * share of labels that found a value within TTL.
 */
export async function joinFeatures({ client, config }: BuildContext, onView: (view: string) => void = () => {}): Promise<Record<string, number>> {
  for (const entity of ['user', 'item'] as const) {
    await client.query(
      `CREATE TEMP TABLE ${keysTable(entity)} ON COMMIT DROP AS
       SELECT row_number() OVER () AS label_id, ${ENTITY_COLUMN[entity]} AS entity_id, label_time AS sample_time,
              label_time - ${AS_OF_OFFSET} AS label_time, count(*) AS labels
         FROM s_labels GROUP BY ${ENTITY_COLUMN[entity]}, label_time`,
    );
    await client.query(`CREATE INDEX ON ${keysTable(entity)} (entity_id, sample_time); ANALYZE ${keysTable(entity)}`);
  }
  for (const entity of ['user', 'item'] as const) {
    if (historyViews(entity).length === 0) continue;
    const asOf = asOfTimesSql(keysTable(entity), historyViews(entity));
    await client.query(`CREATE TEMP TABLE ${asOfTable(entity)} ON COMMIT DROP AS ${asOf.sql}`, asOf.params);
    await client.query(`ANALYZE ${asOfTable(entity)}`);
  }
  const coverage: Record<string, number> = {};
  for (const view of SAMPLE_VIEWS) {
    if (view.offline === 'history') {
      const sql = asOfValuesSql(asOfTable(view.entity), historyViews(view.entity).indexOf(view));
      await client.query(`CREATE TEMP TABLE ${featureTable(view)} ON COMMIT DROP AS ${sql}`, asOfValuesParams(view));
    } else {
      await sequenceFromLog(client, view, config.sequenceLength);
    }
    await client.query(`CREATE UNIQUE INDEX ON ${featureTable(view)} (label_id); ANALYZE ${featureTable(view)}`);
    const { rows } = await client.query<{ share: number | null }>(
      `SELECT (SELECT sum(k.labels) FROM ${keysTable(view.entity)} k JOIN ${featureTable(view)} f USING (label_id))::float8
              / nullif((SELECT sum(labels) FROM ${keysTable(view.entity)}), 0) AS share`,
    );
    coverage[view.name] = rows[0]!.share ?? 0;
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
     SELECT label_id, jsonb_build_object('items', jsonb_agg(jsonb_strip_nulls(jsonb_build_object('item_id', item_id, 'type', type, 'time', time::bigint, 'category', category)) ORDER BY time::bigint)) AS "values"
       FROM (${sequencePointInTimeSql(keysTable(view.entity), length)}) entries
      GROUP BY label_id`,
  );
}

/**
 * A SELECT of one entity's feature rows, (key, features), from its key table
 * and its views' s_pit tables: every view's values under its name, or the
 * view's defaults where none was within TTL. View names and defaults are
 * parameters $1.., a (name, defaults) pair per view.
 */
export function featureRowsSql(entity: EntityName): { sql: string; params: string[] } {
  const views = SAMPLE_VIEWS.filter((view) => view.entity === entity);
  const pairs = views.map((_, i) => `$${2 * i + 1}::text, coalesce(f_${i}."values", $${2 * i + 2}::jsonb)`);
  const joins = views.map((view, i) => `LEFT JOIN ${featureTable(view)} f_${i} ON f_${i}.label_id = k.label_id`);
  return {
    sql: `SELECT k.label_id AS key, jsonb_build_object(${pairs.join(', ')}) AS features FROM ${keysTable(entity)} k ${joins.join(' ')}`,
    params: views.flatMap((view) => [view.name, JSON.stringify(view.defaults())]),
  };
}
