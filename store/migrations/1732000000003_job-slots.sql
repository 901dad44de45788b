-- Up Migration
-- The queue of jobs for processing slots: a row per job from submission until it stops running (pause, end).
-- `seq` orders the queue; a granted row holds one of the limited running slots.
CREATE TABLE job_slots (
  job_id text PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
  tenant_id text NOT NULL,
  workflow_id text NOT NULL,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  queued_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  granted_at timestamptz
);
CREATE INDEX job_slots_seq ON job_slots (seq);

-- Down Migration
DROP TABLE job_slots;
