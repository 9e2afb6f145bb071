/**
 * The start every stage command shares once its plan is validated: the dataset loaded (with a
 * progress line), the run directory opened and locked, the compute backend chosen and recorded in
 * the manifest. The plan is printed before all of it (loading the dataset, and then a first
 * training step, can take minutes). A command that checked its plan against the dataset passes the
 * dataset it loaded, and says whether it printed the plan before loading it.
 */
import { openRunDir, type RunDir } from '../artifacts/run-dir.js';
import { reportBackend, selectBackend } from '../backend/select.js';
import { configHash } from '../config/hash.js';
import type { Config } from '../config/schema.js';
import type { Dataset } from '../data/types.js';
import { loadConfiguredDataset } from './load-dataset.js';

/** `loaded`: the dataset, when the command has loaded (and checked) it already; `planShown`: the plan was printed then. */
export async function openStageRun(config: Config, command: string, plan: string, loaded?: Dataset, planShown = false): Promise<{ dataset: Dataset; run: RunDir }> {
  if (!planShown) process.stderr.write(`${command} ${plan}\n`);
  const dataset = loaded ?? (await loadConfiguredDataset(config));
  const run = await openRunDir(config.run.dir, { resolvedConfig: config, configHash: configHash(config) });
  try {
    const backend = await selectBackend(config.backend.name, undefined, undefined, { threads: config.backend.threads });
    reportBackend(backend);
    await run.recordBackend(backend.name, backend.detail);
  } catch (error) {
    await run.close();
    throw error;
  }
  return { dataset, run };
}
