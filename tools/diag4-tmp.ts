import pg from 'pg';
import { itemStats, pointInTimeSql } from '@recstream/features';
import { asOfJoinSql, asOfParams } from '../libs/samples/src/build/point-in-time.js';
const pool = new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:5432/recstream_test_b68286ea770a', max: 1 });
const c = await pool.connect();
await c.query("BEGIN; SET LOCAL work_mem = '256MB'");
await c.query(`CREATE TEMP TABLE k ON COMMIT DROP AS SELECT row_number() OVER () AS label_id, item_id AS entity_id, event_time - interval '1 microsecond' AS label_time
  FROM (SELECT DISTINCT item_id, event_time FROM event_log WHERE type = 'exposure') d; ANALYZE k`);
const n = (await c.query('SELECT count(*)::int AS n FROM k')).rows[0].n;
for (const [name, sql, params] of [['as-of', asOfJoinSql('k'), asOfParams(itemStats)], ['row_number', pointInTimeSql(itemStats, 'k'), []]] as const) {
  const t = performance.now();
  const { rowCount } = await c.query(`CREATE TEMP TABLE r_${name.replace('-', '_')} ON COMMIT DROP AS ${sql}`, [...params]);
  console.log(name, n, 'keys', rowCount, 'found', ((performance.now() - t) / 1000).toFixed(2), 's');
}
const diff = await c.query('SELECT count(*)::int AS n FROM r_as_of a FULL JOIN r_row_number b USING (label_id) WHERE a."values" IS DISTINCT FROM b."values"');
console.log('differences', diff.rows[0].n);
await c.query('ROLLBACK'); c.release(); await pool.end();
