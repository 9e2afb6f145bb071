/**
 * Where evaluation keeps what is expensive to recompute and shared by every run of a dataset, under
 * data.cacheDir (next to the decode caches):
 *
 *   <cacheDir>/eval/domain-classifier/<dataset>-<hash>/   model.json, weights.bin, classifier.json
 *   <cacheDir>/eval/reference/<dataset>-<split>-<n>-<hash>/ reference.json, features.f32, labels.i32
 *
 * Each entry is a directory written whole or not at all (writeDirAtomic); `<hash>` covers everything
 * its content depends on, the images included (by content, so a subset or an edited copy of a
 * dataset never hits the entry of another), and the entry's JSON repeats its key so a reader can
 * check it.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { configHash } from '../config/hash.js';
import { errorCode } from '../artifacts/atomic-write.js';
import type { LabelledImages } from './images.js';

/** Bumped whenever an entry's layout or meaning changes, so older entries read as misses. */
export const EVAL_CACHE_FORMAT = 1;

/** The cache directory of all evaluation entries. */
export function evalCacheRoot(cacheDir: string): string {
  return path.resolve(cacheDir, 'eval');
}

/** `<root>/<kind>/<prefix>-<hash of key>`, with the prefix made safe as a file name. */
export function cacheEntryDir(cacheDir: string, kind: 'domain-classifier' | 'reference', prefix: string, key: unknown): string {
  const safe = prefix.replace(/[^A-Za-z0-9_.-]/g, '_');
  return path.join(evalCacheRoot(cacheDir), kind, `${safe}-${configHash({ format: EVAL_CACHE_FORMAT, key })}`);
}

/** SHA-256 (24 hex digits) of a set's shape, pixels and labels: what identifies its content. */
export function contentFingerprint(set: LabelledImages): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify(set.shape));
  hash.update(set.images);
  hash.update(new Uint8Array(set.labels.buffer, set.labels.byteOffset, set.labels.byteLength));
  return hash.digest('hex').slice(0, 24);
}

/** The parsed JSON of `file`, or undefined when it does not exist or does not parse (a miss). */
export async function readJsonIfValid(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as unknown;
  } catch (error) {
    if (errorCode(error) === 'ENOENT' || error instanceof SyntaxError) return undefined;
    throw error;
  }
}

/** Whether two JSON-like keys are equal (key order ignored). */
export function sameKey(a: unknown, b: unknown): boolean {
  return configHash(a) === configHash(b);
}
