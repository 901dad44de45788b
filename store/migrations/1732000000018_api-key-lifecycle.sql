-- Up Migration
-- API keys get an id (what the admin surface and audit trails name), an expiry, a revocation, the last time they
-- were used (updated at most once a minute), the CIDRs they may be used from (none: anywhere) and, once rotated,
-- the key that replaced them. Keys made before have an id made up for them.
ALTER TABLE api_keys
  ADD COLUMN id text,
  ADD COLUMN expires_at timestamptz,
  ADD COLUMN revoked_at timestamptz,
  ADD COLUMN last_used_at timestamptz,
  ADD COLUMN allowed_cidrs text[] NOT NULL DEFAULT '{}',
  ADD COLUMN rotated_to text;
UPDATE api_keys SET id = 'key_' || left(md5(key_hash || random()::text), 20);
ALTER TABLE api_keys
  ALTER COLUMN id SET NOT NULL,
  DROP CONSTRAINT api_keys_pkey,
  ADD PRIMARY KEY (id),
  ADD CONSTRAINT api_keys_key_hash_key UNIQUE (key_hash);
CREATE INDEX api_keys_tenant ON api_keys (tenant_id, created_at);

-- Down Migration
DROP INDEX api_keys_tenant;
ALTER TABLE api_keys DROP CONSTRAINT api_keys_pkey, DROP CONSTRAINT api_keys_key_hash_key, ADD PRIMARY KEY (key_hash);
ALTER TABLE api_keys
  DROP COLUMN id, DROP COLUMN expires_at, DROP COLUMN revoked_at, DROP COLUMN last_used_at, DROP COLUMN allowed_cidrs, DROP COLUMN rotated_to;
