// Schedules of recurring extractions: define, list, read, change, pause, unpause, trigger, backfill, delete.
import { backfillSchema, scheduleDefinitionSchema, schedulePatchSchema } from '../../domain/schedule';
import { SCHEDULE_ID } from '../ids';
import { pageQuerySchema } from '../list-query';
import { pauseBodySchema, triggerBodySchema } from '../routes/schedules';
import { idParameter, inputSchema, queryParameters } from './json-schema';
import { json, linksTo, locationHeader, noContent, operation, type PathItem } from './operation';

const tag = 'Schedules';
const scheduleId = idParameter('id', 'the schedule id, as in the Location of the 201 that made it', SCHEDULE_ID);
const schedule = (description: string) =>
  json(description, { type: 'object', description: 'a schedule: id, state, allowedActions, its definition, nextRunTimes, recentRuns [{nominalTime, window, jobId, jobState, skipped}], temporal, links' });
const OPERATIONS_ON_ONE = ['getSchedule', 'updateSchedule', 'pauseSchedule', 'unpauseSchedule', 'triggerSchedule', 'backfillSchedule', 'deleteSchedule'];
const optionalBody = (schema: Parameters<typeof inputSchema>[0]) => ({ schema: inputSchema(schema), required: false });

export const schedulePaths: Record<string, PathItem> = {
  '/v1/schedules': {
    post: operation({
      operationId: 'createSchedule', tag, summary: 'Defines a schedule: each time it fires, a job extracts the window since the time before',
      description: 'Give cron or interval. request is an extraction request (a job); a filter value {"$runWindowStart": true} or {"$runWindowEnd": true} ' +
        'becomes the start or end of the run\'s window. The request is checked against the source as POST /v1/extractions checks it.',
      body: { schema: inputSchema(scheduleDefinitionSchema) },
      responses: { 201: { ...schedule('The schedule'), headers: locationHeader, links: linksTo(OPERATIONS_ON_ONE, 'id', 'id') } },
      errors: { 409: 'notify names email addresses, and no SMTP server is configured', 503: undefined },
    }),
    get: operation({
      operationId: 'listSchedules', tag, summary: "The tenant's schedules, newest first, each with its latest run", parameters: queryParameters(pageQuerySchema),
      responses: { 200: json('{schedules, nextCursor}') }, errors: { 400: undefined },
    }),
  },
  '/v1/schedules/{id}': {
    get: operation({
      operationId: 'getSchedule', tag, summary: 'A schedule with its next run times and latest runs', parameters: [scheduleId],
      responses: { 200: schedule('The schedule') }, errors: { 404: undefined },
    }),
    patch: operation({
      operationId: 'updateSchedule', tag, summary: 'Changes a schedule from its next run on (runs going are left as they are)', parameters: [scheduleId],
      body: { schema: inputSchema(schedulePatchSchema), description: 'Any field of the definition; cron replaces interval and the other way round.' },
      responses: { 200: schedule('The schedule as changed') }, errors: { 404: undefined, 409: 'notify names email addresses, and no SMTP server is configured', 503: undefined },
    }),
    delete: operation({
      operationId: 'deleteSchedule', tag, summary: 'Deletes a schedule; the jobs it made stay, a run going goes on', parameters: [scheduleId],
      responses: { 204: noContent('Deleted') }, errors: { 404: undefined, 503: undefined },
    }),
  },
  '/v1/schedules/{id}/pause': {
    post: operation({
      operationId: 'pauseSchedule', tag, summary: 'Stops a schedule firing until it is unpaused', parameters: [scheduleId], body: optionalBody(pauseBodySchema),
      responses: { 200: schedule('The schedule, paused') }, errors: { 404: undefined, 503: undefined },
    }),
  },
  '/v1/schedules/{id}/unpause': {
    post: operation({
      operationId: 'unpauseSchedule', tag, summary: 'Lets a paused schedule fire again (missed times within the catch-up window run)', parameters: [scheduleId],
      body: optionalBody(pauseBodySchema), responses: { 200: schedule('The schedule') }, errors: { 404: undefined, 503: undefined },
    }),
  },
  '/v1/schedules/{id}/trigger': {
    post: operation({
      operationId: 'triggerSchedule', tag, summary: 'One run now: its window ends now and starts at the fire time before', parameters: [scheduleId],
      body: optionalBody(triggerBodySchema), responses: { 202: json('{scheduleId, triggered, overlap, links}') }, errors: { 404: undefined, 503: undefined },
    }),
  },
  '/v1/schedules/{id}/backfill': {
    post: operation({
      operationId: 'backfillSchedule', tag, summary: 'A run for each fire time in a past range, each with its own window', parameters: [scheduleId],
      body: { schema: inputSchema(backfillSchema) }, responses: { 202: json('{scheduleId, start, end, overlap, links}') }, errors: { 404: undefined, 503: undefined },
    }),
  },
};
