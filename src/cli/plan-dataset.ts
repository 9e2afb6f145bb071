/**
 * The dataset of a stage command, loaded (with a progress line) and checked against the plan
 * (stages/plan-check.ts) before the run directory is opened: also under --dry-run, so that a dry
 * run refuses every config the real run would refuse. A run directory none of whose checkpoints can
 * be resumed from is refused here too.
 */
import type { Config } from '../config/schema.js';
import type { Dataset } from '../data/types.js';
import { checkPlan, checkResumePoints } from '../stages/plan-check.js';
import { loadConfiguredDataset } from './load-dataset.js';

/** `announce`: a line printed before loading (the plan of a real run; a dry run prints its own). */
export async function loadPlannedDataset(config: Config, stages: readonly string[], announce?: string): Promise<Dataset> {
  if (announce !== undefined) process.stderr.write(`${announce}\n`);
  const dataset = await loadConfiguredDataset(config);
  checkPlan(config, dataset, { stages });
  await checkResumePoints(config.run.dir, { stages });
  return dataset;
}
