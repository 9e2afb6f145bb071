/**
 * The dataset of a stage command, loaded (with a progress line) and checked against the plan
 * (stages/plan-check.ts) before the run directory is opened: also under --dry-run, so that a dry
 * run refuses every config the real run would refuse. A run directory none of whose checkpoints can
 * be resumed from is refused here too.
 */
import { datasetOptions, progressUnit } from '../config/derived.js';
import type { Config } from '../config/schema.js';
import { loadDataset } from '../data/registry.js';
import type { Dataset } from '../data/types.js';
import { checkPlan, checkResumePoints } from '../stages/plan-check.js';
import { progressFn } from '../util/progress.js';

export async function loadPlannedDataset(config: Config, stages: readonly string[]): Promise<Dataset> {
  const dataset = await loadDataset(datasetOptions(config), { onProgress: progressFn({ label: 'load', unit: progressUnit(config) }) });
  checkPlan(config, dataset, { stages });
  await checkResumePoints(config.run.dir, { stages });
  return dataset;
}
