-- Up Migration
-- A tenant's own limits; a null column (or no row) means the operator's default (SLUICE_TENANT_* settings).
CREATE TABLE tenant_limits (
  tenant_id text PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
  running_jobs integer,
  inline_concurrent integer,
  daily_rows bigint,
  daily_bytes bigint,
  requests_per_minute integer,
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- Inline answers leave no run behind: what they sent is counted here, per tenant and UTC day, for the daily quotas.
CREATE TABLE inline_usage (
  tenant_id text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  day date NOT NULL,
  rows bigint NOT NULL DEFAULT 0,
  bytes bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, day)
);

-- The daily quotas add up the runs of a tenant's extractions started since midnight.
CREATE INDEX job_runs_started ON job_runs (started_at);

-- Down Migration
DROP INDEX job_runs_started;
DROP TABLE inline_usage;
DROP TABLE tenant_limits;
