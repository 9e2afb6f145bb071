/**
 * `--set key.path=value`: the key path is checked against the schema (unknown keys get a
 * suggestion) and the text is turned into the type the schema expects at that key, so
 * `--set gan.batchSize=32` is the number 32 and `--set run.dir=123` the string "123".
 */
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { UserError } from '../util/errors.js';
import { didYouMean } from '../util/suggest.js';
import { keysAt, leafKind, schemaAt, type LeafKind } from './schema-walk.js';
import type { Provenance } from './issues.js';

type Plain = Record<string, unknown>;

function typedValue(text: string, kind: LeafKind, flag: string): unknown {
  const fail = (expected: string): never => {
    throw new UserError(`${flag}: expected ${expected}, got '${text}'`);
  };
  switch (kind) {
    case 'string':
      return text;
    case 'number': {
      const value = Number(text);
      if (text.trim() === '' || !Number.isFinite(value)) fail('a number');
      return value;
    }
    case 'boolean': {
      const lowered = text.toLowerCase();
      if (['true', 'yes', '1'].includes(lowered)) return true;
      if (['false', 'no', '0'].includes(lowered)) return false;
      return fail('true or false');
    }
    case 'array': {
      // `[a, b]` as YAML/JSON, or a plain comma-separated list.
      const source = text.trim().startsWith('[') ? text : `[${text}]`;
      try {
        return parseYaml(source) as unknown;
      } catch {
        return fail('a list such as [1, 2] or 1,2');
      }
    }
    case 'object':
      return fail('a single value: set the keys inside this section one by one');
    case 'mixed':
      try {
        return parseYaml(text) as unknown;
      } catch {
        return text;
      }
  }
}

/**
 * One override: a `key.path=value` string from --set, or one made from a command's own flag
 * (`--steps 500` is `gan.steps=500`), which carries the flag as the user typed it so that errors
 * name what was typed rather than the key it stands for.
 */
export type ConfigOverride = string | { readonly assignment: string; readonly flag: string; readonly value: string };

/** The override for command flag `flag` (e.g. '--steps') standing for `key`, or none when the flag was not given. */
export function flagOverride(flag: string, key: string, value: string | number | undefined): ConfigOverride[] {
  return value === undefined ? [] : [{ assignment: `${key}=${value}`, flag, value: String(value) }];
}

/** The key path an override sets, e.g. 'gan.steps'. */
export function overrideKey(override: ConfigOverride): string {
  const assignment = typeof override === 'string' ? override : override.assignment;
  return assignment.slice(0, Math.max(0, assignment.indexOf('='))).trim();
}

/** Applies one override (`key.path=value`, from --set or a command flag) to the raw (unvalidated) config. */
export function applyOverride(raw: Plain, override: ConfigOverride, schema: z.ZodType, provenance: Provenance): void {
  const assignment = typeof override === 'string' ? override : override.assignment;
  const flag = typeof override === 'string' ? `--set ${assignment}` : `${override.flag} ${override.value}`;
  const eq = assignment.indexOf('=');
  if (eq <= 0) throw new UserError(`${flag}: expected key.path=value`);
  const keyPath = assignment.slice(0, eq).trim();
  const text = assignment.slice(eq + 1);
  const path = keyPath.split('.');
  if (path.some((key) => key === '')) throw new UserError(`${flag}: malformed key path '${keyPath}'`);

  // Check every key on the way, so the suggestion points at the first wrong one.
  for (let depth = 0; depth < path.length; depth++) {
    const parent = path.slice(0, depth);
    const known = keysAt(schema, parent);
    if (!known.includes(path[depth])) {
      const where = [...parent, path[depth]].join('.');
      const hint = didYouMean(path[depth], known, parent);
      const list = known.length > 0 ? `; valid keys${parent.length > 0 ? ` of ${parent.join('.')}` : ''}: ${known.join(', ')}` : '';
      throw new UserError(`${flag}: unknown key '${where}'${hint}${list}`);
    }
  }

  const leaf = schemaAt(schema, path);
  const value = typedValue(text, leaf === undefined ? 'mixed' : leafKind(leaf), flag);
  let node = raw;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Plain;
  }
  node[path[path.length - 1]] = value;
  provenance.set(keyPath, typeof override === 'string' ? '--set' : override.flag);
}
