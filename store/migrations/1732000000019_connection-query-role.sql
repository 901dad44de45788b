-- Up Migration
-- query_role: the role a query-mode extraction from this connection runs as (SET ROLE), narrower than the login
-- role. allow_privileged_role: the tenant registered a source whose login role is privileged (a superuser, or a
-- member of a role that reaches server files, programs or other sessions) knowingly.
ALTER TABLE connections ADD COLUMN query_role text;
ALTER TABLE connections ADD COLUMN allow_privileged_role boolean NOT NULL DEFAULT false;

-- Down Migration
ALTER TABLE connections DROP COLUMN allow_privileged_role;
ALTER TABLE connections DROP COLUMN query_role;
