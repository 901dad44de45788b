-- Up Migration
ALTER TABLE jobs ADD COLUMN worker_usage jsonb;

-- Down Migration
ALTER TABLE jobs DROP COLUMN worker_usage;
