-- Up Migration
-- A tenant's email recipients: each gets the events it subscribes to as a mail (the second channel beside
-- webhooks; the events outbox is shared, one claim of an event makes its deliveries on both).
CREATE TABLE email_recipients (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  address text NOT NULL,
  description text,
  events text[] NOT NULL CHECK (cardinality(events) > 0),
  created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp())
);
CREATE INDEX email_recipients_tenant ON email_recipients (tenant_id, created_at);

-- One event to one recipient; its id is in the mail's Message-ID, the same on every attempt.
CREATE TABLE email_deliveries (
  id text PRIMARY KEY,
  event_id text NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  recipient_id text NOT NULL REFERENCES email_recipients (id) ON DELETE CASCADE,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  UNIQUE (event_id, recipient_id)
);
CREATE INDEX email_deliveries_recipient ON email_deliveries (recipient_id, created_at DESC);

-- smtp_code: the server's reply code (250 taken, 4xx try again, 5xx refused), null when none came.
CREATE TABLE email_attempts (
  delivery_id text NOT NULL REFERENCES email_deliveries (id) ON DELETE CASCADE,
  attempt integer NOT NULL,
  at timestamptz NOT NULL DEFAULT clock_timestamp(),
  smtp_code integer,
  error text,
  response text,
  duration_ms integer,
  PRIMARY KEY (delivery_id, attempt)
);

-- What an alert measured when it opened, and the rule's threshold (seconds or bytes, by kind), so that its
-- notification can say both.
ALTER TABLE alerts ADD COLUMN value double precision, ADD COLUMN threshold double precision;

-- Down Migration
ALTER TABLE alerts DROP COLUMN value, DROP COLUMN threshold;
DROP TABLE email_attempts;
DROP TABLE email_deliveries;
DROP TABLE email_recipients;
