import pg from 'pg';
import type { BuildContext } from './context.js';
import { featureKeys, featureRowsSql } from './features.js';
import { splitCuts } from '../range.js';

/** What the write step counted while inserting, for the manifest. */
export interface WrittenStats {
  samples: number;
  positives: number;
  users: number;
  items: number;
  firstLabelMs: number | null;
  lastLabelMs: number | null;
  splits: Record<string, number>;
}

/** The partitions' table names; versions are made by datasetVersionFor, so these are safe identifiers within 63 characters. */
export const partitionTables = (datasetVersion: string) => ({ samples: `samples_${datasetVersion}`, features: `sample_features_${datasetVersion}` });

/**
 * Writes the version's feature rows (one per featureKeys row) and its labelled
 * samples, with the configured split and the leave-latest-out holdout, into tables
 * of their own that are not yet partitions, counting as it inserts. Attaching
 * them later publishes the whole version at once; until then readers cannot
 * see half a version.
 */
export async function writeSamples({ client, range, config, datasetVersion }: BuildContext): Promise<WrittenStats> {
  const tables = partitionTables(datasetVersion);
  // DDL takes no parameters; the version is quoted as a literal instead.
  for (const [parent, table] of [['samples', tables.samples], ['sample_features', tables.features]]) {
    await client.query(
      `CREATE TABLE ${pg.escapeIdentifier(table!)} (LIKE ${parent} INCLUDING DEFAULTS INCLUDING CONSTRAINTS,
         CHECK (dataset_version = ${pg.escapeLiteral(datasetVersion)}))`,
    );
  }
  for (const entity of ['user', 'item'] as const) {
    const rows = featureRowsSql(entity);
    await client.query(
      `INSERT INTO ${pg.escapeIdentifier(tables.features)} (dataset_version, entity, key, features)
       SELECT $${rows.params.length + 1}, $${rows.params.length + 2}, key, features FROM (${rows.sql}) f`,
      [...rows.params, datasetVersion, entity],
    );
  }
  // Each user's latest observed positive is that user's leave-latest-out test item;
  // it is in the test split whatever its time, and so is every other sample of the
  // same (user, item) pair (a repeated click), so no training or validation read sees it.
  await client.query(
    `CREATE TEMP TABLE s_holdout ON COMMIT DROP AS
     SELECT DISTINCT ON (user_id) user_id, label_time, item_id FROM s_labels
      WHERE label > 0 AND NOT sampled_negative ORDER BY user_id, label_time DESC, item_id DESC`,
  );
  await client.query('ANALYZE s_holdout');
  const { trainEnd, validationEnd } = splitCuts(range, config);
  // Every label has both keys, so the feature rows' entities are the inserted samples' users and items.
  const distinct = (entity: 'user' | 'item') => `(SELECT entity_id FROM ${featureKeys(entity).rows} GROUP BY entity_id) ${entity}s`;
  const { rows } = await client.query(
    `WITH inserted AS (
       INSERT INTO ${pg.escapeIdentifier(tables.samples)} (dataset_version, sample_id, user_id, item_id, label_time, label, clicked, converted, dwell_ms,
                             sampled_negative, request_id, context, user_key, item_key, split, holdout)
       SELECT $1, row_number() OVER (ORDER BY l.label_time, l.user_id, l.item_id, l.sampled_negative, l.request_id),
              l.user_id, l.item_id, l.label_time, l.label, l.clicked, l.converted, l.dwell_ms, l.sampled_negative, l.request_id, l.context,
              ku.key, ki.key,
              CASE WHEN held.out OR held.pair OR l.label_time >= to_timestamp($3::float8 / 1000) THEN 'test'
                   WHEN $4 = 'leave-latest-out' THEN CASE WHEN l.label = 0 AND l.label_time >= h.label_time THEN 'test' ELSE 'train' END
                   WHEN l.label_time < to_timestamp($2::float8 / 1000) THEN 'train' ELSE 'validation' END,
              CASE WHEN held.out THEN 'test' WHEN l.label_time < h.label_time AND NOT held.pair THEN 'train' END
         FROM s_labels l
         JOIN ${featureKeys('user').reads} ku ON ku.entity_id = l.user_id AND ku.sample_time = l.label_time
         JOIN ${featureKeys('item').reads} ki ON ki.entity_id = l.item_id AND ki.sample_time = l.label_time
         LEFT JOIN s_holdout h ON h.user_id = l.user_id
         CROSS JOIN LATERAL (SELECT coalesce(l.label_time = h.label_time AND l.item_id = h.item_id AND l.label > 0 AND NOT l.sampled_negative, false) AS out,
                                    coalesce(l.item_id = h.item_id, false) AS pair) held
       RETURNING label_time, label, split, holdout
     )
     SELECT count(*)::float8 AS samples, coalesce(sum(label), 0)::float8 AS positives,
            (SELECT count(*) FROM ${distinct('user')})::float8 AS users, (SELECT count(*) FROM ${distinct('item')})::float8 AS items,
            (extract(epoch FROM min(label_time)) * 1000)::float8 AS first_label_ms, (extract(epoch FROM max(label_time)) * 1000)::float8 AS last_label_ms,
            jsonb_build_object(
              'train', count(*) FILTER (WHERE split = 'train'), 'validation', count(*) FILTER (WHERE split = 'validation'),
              'test', count(*) FILTER (WHERE split = 'test'),
              'holdout_train', count(*) FILTER (WHERE holdout = 'train'), 'holdout_test', count(*) FILTER (WHERE holdout = 'test')) AS splits
       FROM inserted`,
    [datasetVersion, trainEnd, validationEnd, config.splitStrategy],
  );
  // Fresh tables have no statistics; without them the reader's keyset query
  // is planned as a scan and sort of the whole version for every page. The
  // columns readers filter and join on are enough: the JSON columns'
  // statistics are most of an ANALYZE's cost, and autovacuum adds them later.
  await client.query(
    `ANALYZE ${pg.escapeIdentifier(tables.samples)} (dataset_version, sample_id, split, holdout, user_key, item_key);
     ANALYZE ${pg.escapeIdentifier(tables.features)} (dataset_version, entity, key)`,
  );
  const row = rows[0];
  return {
    samples: row.samples,
    positives: row.positives,
    users: row.users,
    items: row.items,
    firstLabelMs: row.first_label_ms,
    lastLabelMs: row.last_label_ms,
    splits: row.splits,
  };
}

/** Makes the written tables the version's partitions; their CHECK constraints spare Postgres a validation scan. */
export async function attachPartitions({ client, datasetVersion }: BuildContext): Promise<void> {
  const tables = partitionTables(datasetVersion);
  for (const [parent, table] of [['samples', tables.samples], ['sample_features', tables.features]]) {
    await client.query(`ALTER TABLE ${parent} ATTACH PARTITION ${pg.escapeIdentifier(table!)} FOR VALUES IN (${pg.escapeLiteral(datasetVersion)})`);
  }
}

/** Removes a version's partitions, attached or not, for a rebuild or retirement. */
export async function dropPartitions(client: pg.ClientBase, datasetVersion: string): Promise<void> {
  const tables = partitionTables(datasetVersion);
  await client.query(`DROP TABLE IF EXISTS ${pg.escapeIdentifier(tables.samples)}, ${pg.escapeIdentifier(tables.features)}`);
}
