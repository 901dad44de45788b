-- Up Migration
-- Every action on the API and every file download: who (tenant, key, address), what (method, route, action,
-- target), and how it went. Append-only: rows are never changed or deleted, not even by Sluice (a trigger
-- refuses it); a tenant deleted leaves its trail (no foreign key).
CREATE TABLE audit_log (
  seq bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT clock_timestamp(),
  tenant_id text,
  key_id text,
  ip text,
  request_id text NOT NULL,
  method text NOT NULL,
  route text NOT NULL,
  action text NOT NULL,
  target text,
  status integer NOT NULL,
  outcome text NOT NULL
);
CREATE INDEX audit_log_tenant ON audit_log (tenant_id, seq DESC);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit log is append-only';
END $$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- Down Migration
DROP TABLE audit_log;
DROP FUNCTION audit_log_append_only();
