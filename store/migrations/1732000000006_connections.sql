-- Up Migration
-- A tenant's PostgreSQL connections, replacing `sources`. The URL (with its password) is kept only encrypted:
-- AES-256-GCM under the key `key_id` of SLUICE_SECRET_KEYS, with its IV and auth tag. host … sslmode are the
-- URL's parts that may be shown. The rows of `sources` are moved here, encrypted, right after the migrations
-- (store/move-sources.ts: SQL cannot encrypt), which then drops `sources`.
CREATE TABLE connections (
  tenant_id text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name text NOT NULL,
  roles text[] NOT NULL CHECK (roles <@ ARRAY['source', 'target'] AND cardinality(roles) > 0),
  host text NOT NULL,
  port integer NOT NULL,
  database text NOT NULL,
  "user" text NOT NULL,
  sslmode text,
  url_ciphertext bytea NOT NULL,
  url_iv bytea NOT NULL,
  url_tag bytea NOT NULL,
  key_id text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (tenant_id, name)
);

-- Down Migration
-- The URLs cannot be decrypted in SQL: going down leaves `sources` empty, to be registered again.
DROP TABLE connections;
CREATE TABLE IF NOT EXISTS sources (
  tenant_id text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name text NOT NULL,
  connection_url text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, name)
);
