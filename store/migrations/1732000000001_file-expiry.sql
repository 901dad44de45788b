-- Up Migration
ALTER TABLE jobs ADD COLUMN files_expire_at timestamptz, ADD COLUMN files_expired_at timestamptz;

-- Down Migration
ALTER TABLE jobs DROP COLUMN files_expire_at, DROP COLUMN files_expired_at;
