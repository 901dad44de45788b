// The query of a list (GET /v1/jobs, GET /v1/syncs, GET /v1/schedules): ?state=&limit=&cursor= (and what a list
// adds), validated the same way for each.
import { z } from 'zod';
import { badRequest, fromZod } from './problem';

const pageFields = {
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional().describe('the nextCursor of the page before'),
};

/** The query's schema for a list of jobs or syncs in `states` (also what the OpenAPI document shows). */
export const listQuerySchema = <S extends string>(states: readonly [S, ...S[]]) => z.object({ state: z.enum(states).optional(), ...pageFields }).strict();

/** The query's schema for a list without states. */
export const pageQuerySchema = z.object(pageFields).strict();

type Parsed<Q> = Omit<Q, 'cursor'> & { limit: number; after?: [string, string] };

/** The query parsed by `schema`, its cursor decoded by `decode`: a 400 problem for either. */
export function parseListQuery<Q extends { limit: number; cursor?: string }>(query: unknown, schema: z.ZodType<Q>, decode: (cursor: string) => [string, string] | null): Parsed<Q> {
  const parsed = schema.safeParse(query);
  if (!parsed.success) throw fromZod(parsed.error, 'query');
  const { cursor, ...rest } = parsed.data;
  const after = cursor ? decode(cursor) : undefined;
  if (after === null) throw badRequest('cursor', 'the cursor is not valid', 'pass the nextCursor of a previous page unchanged');
  return { ...rest, after };
}
