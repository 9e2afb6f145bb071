/**
 * Turns schema validation issues into one message a user can act on: the key path, what was
 * wrong, the value given, where it came from (file and line, or --set), and for an unknown key
 * the nearest valid one.
 */
import { readFileSync } from 'node:fs';
import { extname, isAbsolute } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { didYouMean } from '../util/suggest.js';
import { configSchema } from './schema.js';
import { keysAt } from './schema-walk.js';

/** Dotted key path → the file, '--set' or the command flag (e.g. '--method') that set it. */
export type Provenance = Map<string, string>;

/** The 1-based line of a key in a YAML file, when it can be found. */
function yamlLine(file: string, path: readonly PropertyKey[]): number | undefined {
  if (!['.yaml', '.yml', ''].includes(extname(file))) return undefined;
  try {
    const lineCounter = new LineCounter();
    const doc = parseDocument(readFileSync(file, 'utf8'), { lineCounter });
    const node = doc.getIn(path as unknown[], true) as { range?: [number, number, number] } | undefined;
    const pair = node?.range === undefined ? undefined : node.range[0];
    return pair === undefined ? undefined : lineCounter.linePos(pair).line;
  } catch {
    return undefined;
  }
}

/** Where the value at `path` came from: the longest key-path prefix with a recorded origin. */
function origin(path: readonly PropertyKey[], provenance: Provenance, keyLine = true): string {
  for (let n = path.length; n >= 1; n--) {
    const source = provenance.get(path.slice(0, n).map(String).join('.'));
    if (source === undefined) continue;
    // Files are recorded by absolute path; anything else is a flag or argument the user typed.
    if (!isAbsolute(source)) return ` (from ${source})`;
    const line = keyLine ? yamlLine(source, path) : undefined;
    return ` (in ${source}${line === undefined ? '' : `, line ${line}`})`;
  }
  // A section with a wrong key inside: any leaf below it tells the file.
  const prefix = path.map(String).join('.');
  for (const [key, source] of provenance) {
    if (prefix === '' || key.startsWith(prefix + '.')) return isAbsolute(source) ? ` (in ${source})` : ` (from ${source})`;
  }
  return '';
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let node = raw;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

export function formatIssues(issues: readonly z.core.$ZodIssue[], raw: unknown, provenance: Provenance): string {
  const lines: string[] = [];
  for (const issue of issues) {
    const path = issue.path;
    if (issue.code === 'unrecognized_keys') {
      const known = keysAt(configSchema, path.map(String));
      for (const key of issue.keys) {
        const full = [...path.map(String), key];
        lines.push(`unknown key '${full.join('.')}'${didYouMean(key, known, path.map(String))}${origin(full, provenance)}`);
      }
      continue;
    }
    const value = valueAt(raw, path);
    const shown = value === undefined ? '' : `, got ${JSON.stringify(value)}`;
    const hint =
      issue.code === 'invalid_value' && typeof value === 'string'
        ? didYouMean(value, issue.values.filter((v): v is string => typeof v === 'string'))
        : '';
    lines.push(`${path.map(String).join('.') || '(top level)'}: ${issue.message}${shown}${hint}${origin(path, provenance)}`);
  }
  const head = lines.length === 1 ? 'invalid configuration: ' : 'invalid configuration:\n  ';
  return head + lines.join('\n  ');
}
