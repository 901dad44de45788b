-- Up Migration
-- A sync's alerts: open while their rule fires (one open alert per sync and kind), resolved when it stops.
-- Opening and resolving each write their event (sync.alert, sync.alert_resolved) in the same statement.
CREATE TABLE alerts (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  sync_id text NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  run integer NOT NULL,
  kind text NOT NULL,
  message text NOT NULL,
  opened_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
  resolved_at timestamptz
);
CREATE UNIQUE INDEX alerts_open ON alerts (sync_id, kind) WHERE resolved_at IS NULL;
CREATE INDEX alerts_tenant ON alerts (tenant_id, opened_at DESC);

-- Down Migration
DROP TABLE alerts;
