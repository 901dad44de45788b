-- Up Migration
-- A tenant's schedules of recurring extractions. Temporal holds the schedule itself (it fires the runs); this is
-- the definition as the tenant gave it, so the API can list and show schedules without Temporal.
CREATE TABLE schedules (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  definition jsonb NOT NULL,
  temporal_schedule_id text NOT NULL UNIQUE,
  paused boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX schedules_by_tenant ON schedules (tenant_id, created_at DESC, id DESC);

-- Each time a schedule fired (on time, caught up, triggered or backfilled): the job it made, or why it made none.
-- Kept when the job is deleted; gone with the schedule (its jobs stay).
CREATE TABLE schedule_runs (
  schedule_id text NOT NULL REFERENCES schedules (id) ON DELETE CASCADE,
  execution_id text NOT NULL,
  nominal_time timestamptz NOT NULL,
  window_start timestamptz NOT NULL,
  window_end timestamptz NOT NULL,
  taken_at timestamptz NOT NULL, -- when a worker first took the run (how late it was decides a catch-up)
  job_id text,
  skipped text,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (schedule_id, execution_id)
);
CREATE INDEX schedule_runs_recent ON schedule_runs (schedule_id, created_at DESC);

-- The schedule a job was made by and the window it pulled.
ALTER TABLE jobs ADD COLUMN schedule_id text;
ALTER TABLE jobs ADD COLUMN run_window jsonb;
CREATE INDEX jobs_by_schedule ON jobs (tenant_id, schedule_id, created_at DESC) WHERE schedule_id IS NOT NULL;

-- Down Migration
DROP INDEX jobs_by_schedule;
ALTER TABLE jobs DROP COLUMN run_window;
ALTER TABLE jobs DROP COLUMN schedule_id;
DROP TABLE schedule_runs;
DROP TABLE schedules;
