-- Up Migration
-- Sync jobs live in `jobs` (kind 'sync') and their instances in `job_runs`, as extraction jobs do. A sync is made
-- in Created with run 0: it has no instance until its first start.

-- Every list is of one kind (GET /v1/jobs shows extractions, GET /v1/syncs syncs): the listing indexes lead with it.
DROP INDEX jobs_tenant_created;
DROP INDEX jobs_tenant_state_created;
CREATE INDEX jobs_tenant_kind_created ON jobs (tenant_id, kind, created_at DESC, id DESC);
CREATE INDEX jobs_tenant_kind_state_created ON jobs (tenant_id, kind, state, created_at DESC, id DESC);

-- A sync's metrics over time (design.md §3), sampled every few seconds while it streams and about every 30 s
-- while it is paused (slot health only). `records`/`bytes` are the instance's totals at `at`; `rps`/`bps` its rates
-- over a short window. The slot columns are null when the sample carries no slot health (full mode); `slot_exists`
-- false when the slot is gone.
CREATE TABLE sync_metrics (
  job_id text NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  run integer NOT NULL,
  at timestamptz NOT NULL,
  idle_ms bigint,
  emit_ms bigint,
  records bigint NOT NULL DEFAULT 0,
  bytes bigint NOT NULL DEFAULT 0,
  rps double precision NOT NULL DEFAULT 0,
  bps double precision NOT NULL DEFAULT 0,
  applied_lsn text,
  applied_commit_time timestamptz,
  retained_wal_bytes bigint,
  wal_status text,
  safe_wal_size bigint,
  slot_exists boolean,
  PRIMARY KEY (job_id, at)
);
-- Pruning removes old samples of every sync at once.
CREATE INDEX sync_metrics_at ON sync_metrics (at);

-- Down Migration
DROP TABLE sync_metrics;
DROP INDEX jobs_tenant_kind_state_created;
DROP INDEX jobs_tenant_kind_created;
CREATE INDEX jobs_tenant_created ON jobs (tenant_id, created_at DESC, id DESC);
CREATE INDEX jobs_tenant_state_created ON jobs (tenant_id, state, created_at DESC, id DESC);
