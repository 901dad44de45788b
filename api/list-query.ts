// The query of a list (GET /v1/jobs, GET /v1/syncs): ?state=&limit=&cursor=, validated the same way for each.
import { z } from 'zod';
import { badRequest, fromZod } from './problem';

export interface ListQuery<S extends string> {
  state?: S;
  limit: number;
  /** The decoded cursor. */
  after?: [string, string];
}

/** The query's schema for a list of jobs or syncs in `states` (also what the OpenAPI document shows). */
export const listQuerySchema = <S extends string>(states: readonly [S, ...S[]]) =>
  z.object({
    state: z.enum(states).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().max(500).optional().describe('the nextCursor of the page before'),
  }).strict();

export function parseListQuery<S extends string>(query: unknown, states: readonly [S, ...S[]], decode: (cursor: string) => [string, string] | null): ListQuery<S> {
  const parsed = listQuerySchema(states).safeParse(query);
  if (!parsed.success) throw fromZod(parsed.error, 'query');
  const { state, limit, cursor } = parsed.data;
  const after = cursor ? decode(cursor) : undefined;
  if (after === null) throw badRequest('cursor', 'the cursor is not valid', 'pass the nextCursor of a previous page unchanged');
  return { state: state as S | undefined, limit, after };
}
