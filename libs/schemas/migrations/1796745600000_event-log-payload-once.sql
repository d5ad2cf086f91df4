-- Up Migration

-- event_log.payload holds only the event's fields that no column holds
-- (schema_version, rating, dwell_ms, value, features): the columns already
-- hold the time, ids, type, request, experiment, variant and context, and
-- storing them again as jsonb was most of the cost of logging an event
-- (docs/decisions/backfill-history.md). Queries into payload (->>'rating',
-- ->>'dwell_ms', ->'features') read old and new rows alike. Rows logged
-- before this keep the whole event in payload, the same values the columns
-- hold; readers take the columns first (eventFromLogRow in libs/features),
-- so nothing is rewritten here.
ALTER TABLE event_log ALTER COLUMN payload SET DEFAULT '{}';
COMMENT ON COLUMN event_log.payload IS 'The event''s fields that no column holds (schema_version, rating, dwell_ms, value, features); rows logged before migration 1796745600000 hold the whole event.';

-- Down Migration
-- The code before this reads payload as the whole event: put the columns back into it.
UPDATE event_log
   SET payload = jsonb_strip_nulls(jsonb_build_object('event_id', event_id, 'event_time', (extract(epoch FROM event_time) * 1000)::bigint, 'type', type,
                   'user_id', user_id, 'item_id', item_id, 'request_id', request_id, 'experiment', experiment, 'variant', variant))
                 || jsonb_build_object('context', context) || payload
 WHERE NOT payload ? 'event_id';
COMMENT ON COLUMN event_log.payload IS NULL;
ALTER TABLE event_log ALTER COLUMN payload DROP DEFAULT;
