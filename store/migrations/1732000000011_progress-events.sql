-- Up Migration
-- When a running job last wrote its job.progress event. Every part of a job may try to write one; the update
-- of this column that only passes once the interval (SLUICE_PROGRESS_EVENT_SECONDS) is over lets one through.
ALTER TABLE jobs ADD COLUMN progress_event_at timestamptz;

-- Down Migration
ALTER TABLE jobs DROP COLUMN progress_event_at;
