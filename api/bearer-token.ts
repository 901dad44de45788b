// Compares an Authorization header with `Bearer <token>` in constant time: digests of both are compared, so
// neither the token's characters nor its length show in how long a refusal takes.
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (s: string) => createHash('sha256').update(s).digest();

export const isBearerToken = (header: string | undefined, token: string) => header !== undefined && timingSafeEqual(digest(header), digest(`Bearer ${token}`));
