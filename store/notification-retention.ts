// Old notifications go: events (with their webhook and email deliveries and attempts, by cascade) once every
// delivery of them has ended, and alerts resolved long ago. Open alerts and pending deliveries stay, however old.
import type { Pool } from 'pg';

export class NotificationRetention {
  constructor(private readonly db: Pool) {}

  /** Deletes what ended before `before`; returns how many events and alerts went. */
  async prune(before: Date): Promise<{ events: number; alerts: number }> {
    const events = await this.db.query(
      `DELETE FROM events e WHERE e.created_at < $1 AND e.dispatched_at IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = e.id AND (d.status = 'pending' OR d.updated_at >= $1))
          AND NOT EXISTS (SELECT 1 FROM email_deliveries d WHERE d.event_id = e.id AND (d.status = 'pending' OR d.updated_at >= $1))`,
      [before],
    );
    const alerts = await this.db.query('DELETE FROM alerts WHERE resolved_at < $1', [before]);
    return { events: events.rowCount ?? 0, alerts: alerts.rowCount ?? 0 };
  }
}
