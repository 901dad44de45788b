-- Up Migration
-- A job's state is one document (domain/extraction-job.ts), written whole by its workflow; `state` and `run`
-- stay columns for lists and filters.
ALTER TABLE jobs ADD COLUMN run integer NOT NULL DEFAULT 1, ADD COLUMN snapshot jsonb;
UPDATE jobs SET snapshot = jsonb_strip_nulls(jsonb_build_object(
  'jobId', id, 'state', state, 'run', 1, 'runStartedAt', to_jsonb(created_at), 'progress', progress, 'plan', plan,
  'error', error, 'attempts', attempts, 'worker', worker_usage, 'startedAt', to_jsonb(started_at),
  'finishedAt', to_jsonb(finished_at), 'manifest', manifest, 'filesExpireAt', to_jsonb(files_expire_at),
  'filesExpiredAt', to_jsonb(files_expired_at)));
ALTER TABLE jobs ALTER COLUMN snapshot SET NOT NULL,
  DROP COLUMN plan, DROP COLUMN progress, DROP COLUMN error, DROP COLUMN manifest, DROP COLUMN attempts,
  DROP COLUMN started_at, DROP COLUMN finished_at, DROP COLUMN files_expire_at, DROP COLUMN files_expired_at,
  DROP COLUMN worker_usage;

-- The runs (instances) of a job: one per start and restart, kept in Sluice's database, not as Temporal run ids.
CREATE TABLE job_runs (
  job_id text NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  run integer NOT NULL,
  state text NOT NULL, -- the run's last state: its final status once it has ended
  started_at timestamptz NOT NULL,
  ended_at timestamptz,
  records bigint NOT NULL DEFAULT 0,
  bytes bigint NOT NULL DEFAULT 0,
  error jsonb,
  PRIMARY KEY (job_id, run)
);
INSERT INTO job_runs (job_id, run, state, started_at, ended_at, records, bytes, error)
  SELECT id, 1, state, created_at, (snapshot->>'finishedAt')::timestamptz,
         coalesce((snapshot->'progress'->>'rowsDone')::bigint, 0), coalesce((snapshot->'progress'->>'bytesDone')::bigint, 0),
         snapshot->'error'
    FROM jobs;

-- Down Migration
DROP TABLE job_runs;
ALTER TABLE jobs ADD COLUMN plan jsonb, ADD COLUMN progress jsonb, ADD COLUMN error jsonb, ADD COLUMN manifest jsonb,
  ADD COLUMN attempts integer NOT NULL DEFAULT 0, ADD COLUMN started_at timestamptz, ADD COLUMN finished_at timestamptz,
  ADD COLUMN files_expire_at timestamptz, ADD COLUMN files_expired_at timestamptz, ADD COLUMN worker_usage jsonb;
UPDATE jobs SET plan = snapshot->'plan', progress = snapshot->'progress', error = snapshot->'error',
  manifest = snapshot->'manifest', attempts = coalesce((snapshot->>'attempts')::int, 0),
  started_at = (snapshot->>'startedAt')::timestamptz, finished_at = (snapshot->>'finishedAt')::timestamptz,
  files_expire_at = (snapshot->>'filesExpireAt')::timestamptz, files_expired_at = (snapshot->>'filesExpiredAt')::timestamptz,
  worker_usage = snapshot->'worker';
ALTER TABLE jobs DROP COLUMN snapshot, DROP COLUMN run;
