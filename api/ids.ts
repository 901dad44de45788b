// Job and sync ids in URLs are checked for their shape before anything is looked up, so that a hostile path segment
// (a malformed %-escape, a NUL, 10 kB of text) never reaches a query.
import type { RequestHandler } from 'express';
import { Problem } from './problem';

/** `job_` and 20 lowercase hex digits (`randomBytes(10)`); 16 in ids made by test support. */
export const JOB_ID = /^job_[0-9a-f]{16,20}$/;
/** `sync_` and 20 lowercase hex digits, as job ids. */
export const SYNC_ID = /^sync_[0-9a-f]{16,20}$/;
/** `sch_` and 20 lowercase hex digits. */
export const SCHEDULE_ID = /^sch_[0-9a-f]{20}$/;

export const isJobId = (id: string): boolean => JOB_ID.test(id);

const shown = (s: string) => (s.length > 64 ? `${s.slice(0, 64)}…` : s);

/**
 * For `app.use('/v1/jobs', …)`: `req.path` is what follows, e.g. `/job_…/files`. Any id of another shape,
 * or a path whose %-escapes do not decode, is a 404: no job has that id, which is what a well-formed but unknown
 * id gets too, so a client has one answer to handle; the problem names `id` and says what ids look like.
 */
export const requireJobIdShape = requireIdShape('job', JOB_ID, 'a job id is "job_" and 20 hex digits, as in the Location of the 202 that made the job');
/** The same for `/v1/syncs`. */
export const requireSyncIdShape = requireIdShape('sync', SYNC_ID, 'a sync id is "sync_" and 20 hex digits, as in the Location of the 201 that made the sync');
/** The same for `/v1/schedules`. */
export const requireScheduleIdShape = requireIdShape('schedule', SCHEDULE_ID, 'a schedule id is "sch_" and 20 hex digits, as in the Location of the 201 that made the schedule');

function requireIdShape(noun: string, shape: RegExp, hint: string): RequestHandler {
  return (req, _res, next) => {
    const [, raw, ...rest] = req.path.split('/');
    if (!raw) return next(); // the list
    const id = decoded(raw);
    if (id === null || !shape.test(id)) {
      const detail = `no ${noun} has the id "${shown(id ?? raw)}"`;
      return next(new Problem(404, 'Not found', detail, { errors: [{ field: 'id', message: detail, hint }] }));
    }
    if (rest.some((segment) => decoded(segment) === null)) return next(new Problem(404, 'Not found', `${req.method} ${shown(req.originalUrl)} was not found`));
    next();
  };
}

function decoded(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/**
 * For the routes whose path names (connection names, webhook, recipient and delivery ids) go to a query as they
 * are: PostgreSQL text cannot hold a NUL, so a path with a %00 is refused here, as a malformed %-escape is.
 */
export const refuseNulInPath: RequestHandler = (req, _res, next) => {
  if (!req.path.split('/').some((segment) => decoded(segment)?.includes('\0'))) return next();
  const detail = 'the path holds a NUL character (%00)';
  next(new Problem(400, 'Invalid request', detail, { errors: [{ field: 'path', message: detail, hint: 'names and ids hold no NUL character; remove the %00' }] }));
};
