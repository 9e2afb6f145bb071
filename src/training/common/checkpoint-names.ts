/**
 * Names of the checkpoint directories every trainer writes (GAN, rotation pretraining): step-NNNNNNNN,
 * zero-padded so that names sort by step.
 */
import { readdir } from 'node:fs/promises';
import * as path from 'node:path';
import { isTempDirName } from '../../artifacts/atomic-dir.js';

const CHECKPOINT_NAME = /^step-(\d{8,})$/;

export function checkpointName(step: number): string {
  return `step-${String(step).padStart(8, '0')}`;
}

/** Complete checkpoints in `dir`, oldest first, as { step, path }. */
export async function listCheckpoints(dir: string): Promise<{ step: number; path: string }[]> {
  const entries = await readdir(dir).catch(() => [] as string[]);
  return entries
    .filter((name) => !isTempDirName(name))
    .map((name) => ({ match: CHECKPOINT_NAME.exec(name), name }))
    .filter((entry): entry is { match: RegExpExecArray; name: string } => entry.match !== null)
    .map((entry) => ({ step: Number(entry.match[1]), path: path.join(dir, entry.name) }))
    .sort((a, b) => a.step - b.step);
}
