-- Up Migration
-- Pruning finds old events and resolved alerts by time.
CREATE INDEX events_created ON events (created_at);
CREATE INDEX alerts_resolved ON alerts (resolved_at) WHERE resolved_at IS NOT NULL;

-- Down Migration
DROP INDEX alerts_resolved;
DROP INDEX events_created;
