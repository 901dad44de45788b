// zod schemas (the ones the routes validate with) as OpenAPI 3.1 schema objects, request bodies and parameters.
// OpenAPI 3.1's dialect is JSON Schema 2020-12, z.toJSONSchema's default; what a client sends is the input side
// (defaults make a field optional; a transform's output is not what is sent).
import { z } from 'zod';

export type JsonSchema = Record<string, unknown>;

export interface Parameter {
  name: string;
  in: 'path' | 'query';
  required: boolean;
  description?: string;
  schema: JsonSchema;
}

/** The JSON Schema a client's input must meet; refinements (cross-field rules) are in the description, not here. */
export function inputSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'input' }) as JsonSchema;
  return rest;
}


/** One query parameter per property of a zod object (the query of a route). */
export function queryParameters(schema: z.ZodType): Parameter[] {
  const s = inputSchema(schema) as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(s.properties ?? {}).map(([name, { description, ...p }]) => ({
    name, in: 'query', required: s.required?.includes(name) ?? false, ...(typeof description === 'string' ? { description } : {}), schema: p,
  }));
}

export const pathParameter = (name: string, description: string, schema: JsonSchema = { type: 'string' }): Parameter =>
  ({ name, in: 'path', required: true, description, schema });

/** A path parameter whose value is one of the regular expression's matches. */
export const idParameter = (name: string, description: string, shape: RegExp): Parameter => pathParameter(name, description, { type: 'string', pattern: shape.source });
