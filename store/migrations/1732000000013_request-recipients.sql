-- Up Migration
-- An email recipient named in one job's or sync's request hears of that one only (subject: its id); a tenant's
-- standing recipients have none.
ALTER TABLE email_recipients ADD COLUMN subject text REFERENCES jobs (id) ON DELETE CASCADE;
CREATE INDEX email_recipients_subject ON email_recipients (subject) WHERE subject IS NOT NULL;

-- Down Migration
DROP INDEX email_recipients_subject;
ALTER TABLE email_recipients DROP COLUMN subject;
