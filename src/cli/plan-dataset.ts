/**
 * The dataset of a stage command, loaded (with a progress line) and checked against the plan
 * (stages/stage-start.ts) before the run directory is opened: also under --dry-run, so that a dry
 * run refuses every config the real run would refuse.
 */
import type { Config } from '../config/schema.js';
import type { Dataset } from '../data/types.js';
import { loadPlannedDataset as loadWithHooks } from '../stages/stage-start.js';
import { STDERR_HOOKS } from './load-dataset.js';

/** `announce`: a line printed before loading (the plan of a real run; a dry run prints its own). */
export async function loadPlannedDataset(config: Config, stages: readonly string[], announce?: string): Promise<Dataset> {
  if (announce !== undefined) process.stderr.write(`${announce}\n`);
  return loadWithHooks(config, stages, STDERR_HOOKS);
}
