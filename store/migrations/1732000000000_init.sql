-- Up Migration
CREATE TABLE tenants (
  id text PRIMARY KEY,
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Only a hash of each key is kept; the key itself is shown once, when it is made.
CREATE TABLE api_keys (
  key_hash text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  label text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sources (
  tenant_id text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name text NOT NULL,
  connection_url text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, name)
);

CREATE TABLE jobs (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  kind text NOT NULL,
  state text NOT NULL,
  request jsonb NOT NULL,
  workflow_id text NOT NULL UNIQUE,
  plan jsonb,
  progress jsonb,
  error jsonb,
  manifest jsonb,
  attempts integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()), -- ms: cursors carry it as a JS Date
  started_at timestamptz,
  finished_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- Listing is per tenant, newest first, optionally by state, paged by (created_at, id).
CREATE INDEX jobs_tenant_created ON jobs (tenant_id, created_at DESC, id DESC);
CREATE INDEX jobs_tenant_state_created ON jobs (tenant_id, state, created_at DESC, id DESC);

-- Down Migration
DROP TABLE jobs;
DROP TABLE sources;
DROP TABLE api_keys;
DROP TABLE tenants;
