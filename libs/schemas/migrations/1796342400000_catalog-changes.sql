-- Up Migration

-- Serving refreshes its catalogue from the item_attributes rows written since
-- its last read (CatalogTracker in libs/serving); this index finds those few
-- rows without reading every item's. Partial, so the feature builder's writes
-- of the other views do not maintain it.
CREATE INDEX feature_history_item_attributes_written ON feature_history (created_time) WHERE feature_view = 'item_attributes';

-- Down Migration
DROP INDEX feature_history_item_attributes_written;
