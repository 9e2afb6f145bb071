/**
 * Adopting a shared stage: its artifact files (not its checkpoints, which only resume it) are
 * copied from the shared run directory into a cell's, and the stage is marked done in the cell's
 * manifest with the shared record's config hash and `reusedFrom`, so the cell's own pipeline finds
 * it done and skips it, and the manifests show which stages were computed once.
 */
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { readManifest } from '../artifacts/manifest.js';
import type { RunDir } from '../artifacts/run-dir.js';
import { openRunDir } from '../artifacts/run-dir.js';
import { configHash } from '../config/hash.js';
import type { Config } from '../config/schema.js';
import { invariant } from '../util/errors.js';
import type { Adoption } from './grid.js';

/** Checkpoint folders stay behind: a finished stage never resumes. */
function isCheckpoint(artifact: string): boolean {
  return artifact.split('/').includes('checkpoints');
}

/** Copies `stages` of the run directory `fromDir` into `run` unless `run` has them done with the same hash already. */
export async function adoptStages(run: RunDir, fromDir: string, stages: readonly string[]): Promise<string[]> {
  const source = await readManifest(fromDir);
  const adopted: string[] = [];
  for (const stage of stages) {
    const record = source.stages[stage];
    invariant(record?.status === 'done', `shared stage ${stage} in ${fromDir} is not done`);
    const own = (await run.manifest()).stages[stage];
    if (own?.status === 'done' && own.configHash === record.configHash) continue;
    const artifacts = record.artifacts.filter((a) => !isCheckpoint(a));
    for (const artifact of artifacts) {
      await run.ensureDir(path.posix.dirname(artifact));
      await fsp.cp(path.join(fromDir, artifact), run.file(artifact), { recursive: true, force: true });
    }
    const reusedFrom = path.relative(run.path, fromDir).split(path.sep).join('/');
    await run.markStage(stage, { status: 'done', artifacts, configHash: record.configHash, reusedFrom });
    adopted.push(stage);
  }
  return adopted;
}

/** Opens the run directory of `config`, adopts every shared stage of `adoptions` (folders by key) and closes it. */
export async function adoptInto(config: Config, adoptions: readonly Adoption[], sharedDir: (key: string) => string): Promise<string[]> {
  if (adoptions.length === 0) return [];
  const run = await openRunDir(config.run.dir, { resolvedConfig: config, configHash: configHash(config) });
  try {
    const adopted: string[] = [];
    for (const adoption of adoptions) adopted.push(...(await adoptStages(run, sharedDir(adoption.from), adoption.stages)));
    return adopted;
  } finally {
    await run.close();
  }
}
