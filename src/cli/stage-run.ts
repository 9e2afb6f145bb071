/**
 * The start every stage command shares once its plan is validated: the dataset loaded (with a
 * progress line), the run directory opened and locked, the compute backend chosen and recorded in
 * the manifest (stages/stage-start.ts). The plan is printed before all of it (loading the dataset,
 * and then a first training step, can take minutes). A command that checked its plan against the
 * dataset passes the dataset it loaded, and says whether it printed the plan before loading it.
 */
import type { RunDir } from '../artifacts/run-dir.js';
import type { Config } from '../config/schema.js';
import type { Dataset } from '../data/types.js';
import { openConfiguredRun } from '../stages/stage-start.js';
import { loadConfiguredDataset, STDERR_HOOKS } from './load-dataset.js';

/** `loaded`: the dataset, when the command has loaded (and checked) it already; `planShown`: the plan was printed then. */
export async function openStageRun(config: Config, command: string, plan: string, loaded?: Dataset, planShown = false): Promise<{ dataset: Dataset; run: RunDir }> {
  if (!planShown) process.stderr.write(`${command} ${plan}\n`);
  const dataset = loaded ?? (await loadConfiguredDataset(config));
  const run = await openConfiguredRun(config, STDERR_HOOKS);
  return { dataset, run };
}
