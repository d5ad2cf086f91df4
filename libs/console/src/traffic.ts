import type pg from 'pg';

export interface DailyTraffic {
  /** UTC date, YYYY-MM-DD. */
  day: string;
  activeUsers: number;
  /** Users with any event but an exposure. */
  interactingUsers: number;
  exposures: number;
  clicks: number;
  ctr: number | null;
  /** Share of the catalogue known so far that was shown that day. */
  exposureCoverage: number | null;
}

interface Row {
  day: string;
  active_users: string;
  interacting_users: string;
  exposures: string;
  clicks: string;
  exposure_coverage: number | null;
}

/**
 * Daily users, exposures, clicks and catalogue coverage over the last `days`
 * UTC days, from the materialized BI views (docs/bi.md), so as fresh as the
 * sample generator's last refresh.
 */
export async function readDailyTraffic(pool: pg.Pool, days: number): Promise<DailyTraffic[]> {
  const { rows } = await pool.query<Row>(
    `SELECT to_char(a.day, 'YYYY-MM-DD') AS day, a.active_users, a.interacting_users,
            coalesce(e.exposures, 0) AS exposures, coalesce(e.clicks, 0) AS clicks, c.exposure_coverage
       FROM bi_daily_active_users a
       LEFT JOIN (SELECT day, sum(exposures) AS exposures, sum(clicks) AS clicks FROM bi_daily_events GROUP BY day) e USING (day)
       LEFT JOIN bi_item_coverage c USING (day)
      WHERE a.day > (now() AT TIME ZONE 'UTC')::date - $1::int
      ORDER BY a.day`,
    [days],
  );
  return rows.map((row) => {
    const exposures = Number(row.exposures);
    const clicks = Number(row.clicks);
    return {
      day: row.day,
      activeUsers: Number(row.active_users),
      interactingUsers: Number(row.interacting_users),
      exposures,
      clicks,
      ctr: exposures > 0 ? clicks / exposures : null,
      exposureCoverage: row.exposure_coverage === null ? null : Number(row.exposure_coverage),
    };
  });
}
