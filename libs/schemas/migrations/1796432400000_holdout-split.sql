-- Up Migration

-- Each user's leave-latest-out positive (holdout 'test') is in the test split
-- whatever its time, so training and validation reads never see it. Versions
-- built before this rule kept it in 'train' or 'validation' when it fell
-- before the cut; move those rows and their manifests' split counts.
WITH moved AS (
  SELECT dataset_version, count(*) FILTER (WHERE split = 'train') AS train, count(*) FILTER (WHERE split = 'validation') AS validation
    FROM samples
   WHERE holdout = 'test' AND split <> 'test'
   GROUP BY dataset_version
)
UPDATE dataset_manifests m
   SET split_counts = m.split_counts || jsonb_build_object(
         'train', (m.split_counts->>'train')::bigint - moved.train,
         'validation', (m.split_counts->>'validation')::bigint - moved.validation,
         'test', (m.split_counts->>'test')::bigint + moved.train + moved.validation)
  FROM moved
 WHERE m.dataset_version = moved.dataset_version;
UPDATE samples SET split = 'test' WHERE holdout = 'test' AND split <> 'test';

-- Down Migration
-- Nothing to undo: the rows' earlier split was the leak itself.
