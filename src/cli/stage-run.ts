/**
 * The start every stage command shares once its plan is validated: the dataset loaded (with a
 * progress line), the run directory opened and locked, the compute backend chosen and recorded in
 * the manifest; the plan is printed before all of it. The caller closes the run directory.
 */
import { openRunDir, type RunDir } from '../artifacts/run-dir.js';
import { reportBackend, selectBackend } from '../backend/select.js';
import { datasetOptions, progressUnit } from '../config/derived.js';
import { configHash } from '../config/hash.js';
import type { Config } from '../config/schema.js';
import { loadDataset } from '../data/registry.js';
import type { Dataset } from '../data/types.js';
import { progressFn } from '../util/progress.js';

export async function openStageRun(config: Config, command: string, plan: string): Promise<{ dataset: Dataset; run: RunDir }> {
  // The plan first: loading the dataset, and then a first training step, can take minutes.
  process.stderr.write(`${command} ${plan}\n`);
  const dataset = await loadDataset(datasetOptions(config), { onProgress: progressFn({ label: 'load', unit: progressUnit(config) }) });
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
