/**
 * Reads the structure of the zod schema: which keys an object accepts at a key path, and what
 * kind of value a leaf expects. Used for did-you-mean suggestions and for typing `--set` values.
 */
import type { z } from 'zod';

type AnySchema = z.ZodType;

/** Peels defaults, optionals, transforms and refinements off a schema. */
export function unwrap(schema: AnySchema): AnySchema {
  let current = schema;
  for (;;) {
    const def = (current as unknown as { def: { type: string; innerType?: AnySchema; in?: AnySchema } }).def;
    if (def.innerType !== undefined) current = def.innerType;
    else if (def.type === 'pipe' && def.in !== undefined) current = def.in;
    else return current;
  }
}

/** Object shapes a schema can take (one for an object, several for a union of objects). */
function shapesOf(schema: AnySchema): Record<string, AnySchema>[] {
  const inner = unwrap(schema) as unknown as { def: { type: string; options?: AnySchema[] }; shape?: Record<string, AnySchema> };
  if (inner.def.type === 'object' && inner.shape !== undefined) return [inner.shape];
  if (inner.def.type === 'union' && inner.def.options !== undefined) return inner.def.options.flatMap(shapesOf);
  return [];
}

/** The child schema at `key` of an object schema, if any. */
export function childSchema(schema: AnySchema, key: string): AnySchema | undefined {
  for (const shape of shapesOf(schema)) if (key in shape) return shape[key];
  return undefined;
}

/** The valid keys of the object at `path` (empty when the path is not an object). */
export function keysAt(schema: AnySchema, path: readonly string[]): string[] {
  const node = schemaAt(schema, path);
  return node === undefined ? [] : [...new Set(shapesOf(node).flatMap((shape) => Object.keys(shape)))];
}

/** The schema at a key path, or undefined when some key on the way does not exist. */
export function schemaAt(schema: AnySchema, path: readonly string[]): AnySchema | undefined {
  let node: AnySchema | undefined = schema;
  for (const key of path) {
    if (node === undefined) return undefined;
    node = childSchema(node, key);
  }
  return node;
}

/** What kind of value a leaf accepts, for turning `--set` text into a typed value. */
export type LeafKind = 'number' | 'boolean' | 'string' | 'array' | 'object' | 'mixed';

export function leafKind(schema: AnySchema): LeafKind {
  const inner = unwrap(schema) as unknown as { def: { type: string; options?: AnySchema[]; values?: unknown[] } };
  switch (inner.def.type) {
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'string':
    case 'enum':
      return 'string';
    case 'array':
      return 'array';
    case 'object':
      return 'object';
    case 'literal': {
      const values = inner.def.values ?? [];
      return values.every((v) => typeof v === 'number') ? 'number' : values.every((v) => typeof v === 'string') ? 'string' : 'mixed';
    }
    case 'union': {
      const kinds = new Set((inner.def.options ?? []).map(leafKind));
      return kinds.size === 1 ? [...kinds][0] : 'mixed';
    }
    default:
      return 'mixed';
  }
}
