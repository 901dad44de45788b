// Every string of a request reaches PostgreSQL (as a name, a bind value or a query), whose text holds neither NUL
// nor an unpaired UTF-16 surrogate (which JSON can spell, as "\ud800", but UTF-8 cannot). Both are refused here,
// naming the field, rather than failing in the database.
import { z } from 'zod';

const UNPAIRED_SURROGATE = /\p{Cs}/u;
export const pgText = (s: z.ZodString) =>
  s
    .refine((v) => !v.includes('\0'), {
      message: 'contains a NUL character (\\u0000), which PostgreSQL text cannot hold',
      params: { hint: 'remove the NUL character' },
    })
    .refine((v) => !UNPAIRED_SURROGATE.test(v), {
      message: 'contains an unpaired UTF-16 surrogate, which is not a Unicode character',
      params: { hint: 'send whole characters: a surrogate escape (\\ud800-\\udfff) only as part of a pair' },
    });
