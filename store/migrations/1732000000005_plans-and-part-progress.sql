-- Up Migration
-- What each run of a job reads (source, format, compression, time zone, the resolved selection, the split
-- strategy), saved when the run is planned; part activities load it instead of carrying it in their inputs.
CREATE TABLE job_plans (
  job_id text NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  run integer NOT NULL,
  spec jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (job_id, run)
);

-- Live progress of the parts of a run, written by their activities as they move (every couple of seconds);
-- a stream is part 0 with cumulative counts. `attempt` is the attempt the part is on, `last_failure` the message
-- of the last retryable failure, `waiting` what the part's source session waits for ('lock'), if anything.
-- `scheduled_at` (when the workflow scheduled the activity; the same for all its attempts) with `attempt` orders
-- the writers: a part run again after a pause is a newer activity, and a late write of an older one is ignored.
CREATE TABLE job_part_progress (
  job_id text NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  run integer NOT NULL,
  part integer NOT NULL,
  rows bigint NOT NULL DEFAULT 0,
  bytes bigint NOT NULL DEFAULT 0,
  attempt integer NOT NULL DEFAULT 1,
  waiting text,
  last_failure text,
  done boolean NOT NULL DEFAULT false,
  scheduled_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (job_id, run, part)
);

-- Down Migration
DROP TABLE job_part_progress;
DROP TABLE job_plans;
