/**
 * The start every stage shares, from the CLI and from the library API alike: the configured
 * dataset loaded (reporting what was decided while loading) and checked against the plan, then the
 * run directory opened and locked with the compute backend chosen and recorded in its manifest.
 * What people should read goes to `log`; progress bars to `progressStream`.
 */
import { openRunDir, type RunDir } from '../artifacts/run-dir.js';
import { describeBackend, selectBackend } from '../backend/select.js';
import { datasetOptions, progressUnit } from '../config/derived.js';
import { configHash } from '../config/hash.js';
import type { Config } from '../config/schema.js';
import { DEFAULT_TEST_FRACTION, isTestId } from '../data/image-folder-split.js';
import { loadDataset } from '../data/registry.js';
import { splitSize, type Dataset } from '../data/types.js';
import { progressFn, type ProgressStream } from '../util/progress.js';
import { checkPlan, checkResumePoints } from './plan-check.js';

export interface StageStartHooks {
  /** Lines for people: what loading decided, the backend in use. */
  readonly log: (line: string) => void;
  /** Where progress bars go (default process.stderr). */
  readonly progressStream?: ProgressStream;
}

/** Skipped images named in the notes; the rest are counted (data inspect lists them all). */
const SKIPPED_SHOWN = 5;

function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** Loads the dataset `config` describes, with a progress bar, and logs what was decided while loading. */
export async function loadConfiguredDataset(config: Config, hooks: StageStartHooks): Promise<Dataset> {
  const onProgress = progressFn({ label: 'load', unit: progressUnit(config), stream: hooks.progressStream });
  const dataset = await loadDataset(datasetOptions(config), { onProgress });
  for (const line of loadNotes(dataset, config)) hooks.log(line);
  return dataset;
}

/**
 * The lines loadConfiguredDataset logs: what the user did not choose but should know, i.e. the
 * channel count inferred for an image folder, where its test split came from, and the images
 * data.skipCorrupt left out.
 */
export function loadNotes(dataset: Dataset, config: Config): string[] {
  const notes: string[] = [];
  if (config.data.name === 'image-folder') {
    if (config.data.channels === undefined) {
      const channels = dataset.train.shape[3];
      const why = channels === 1 ? 'every image is grayscale' : 'not every image is grayscale';
      notes.push(`data.channels: ${channels}, inferred (${why}); set data.channels to choose`);
    }
    notes.push(testSplitNote(dataset, config));
  }
  const skipped = dataset.skipped ?? [];
  if (skipped.length > 0) {
    const shown = skipped.slice(0, SKIPPED_SHOWN).join(', ');
    const more = skipped.length > SKIPPED_SHOWN ? ` and ${formatCount(skipped.length - SKIPPED_SHOWN)} more` : '';
    notes.push(`data.skipCorrupt: skipped ${formatCount(skipped.length)} undecodable image(s): ${shown}${more}`);
  }
  return notes;
}

function testSplitNote(dataset: Dataset, config: Config): string {
  const test = dataset.test;
  if (test !== undefined && test.ids.length > 0 && isTestId(test.ids[0])) {
    return `test split: the test/ subfolder, ${formatCount(splitSize(test))} images`;
  }
  const fraction = config.data.testFraction ?? DEFAULT_TEST_FRACTION;
  if (test === undefined) return `test split: none (data.testFraction ${fraction} holds out no image)`;
  return `test split: ${formatCount(splitSize(test))} images held out by data.testFraction ${fraction}; add a test/ subfolder to choose them`;
}

/**
 * The dataset of `stages`, loaded and checked against the plan (stages/plan-check.ts) before the
 * run directory is opened, so that a dry run refuses every config the real run would refuse. A run
 * directory none of whose checkpoints can be resumed from is refused here too.
 */
export async function loadPlannedDataset(config: Config, stages: readonly string[], hooks: StageStartHooks): Promise<Dataset> {
  const dataset = await loadConfiguredDataset(config, hooks);
  checkPlan(config, dataset, { stages });
  await checkResumePoints(config.run.dir, { stages });
  return dataset;
}

/** Opens and locks config.run.dir, then chooses the backend (logging it) and records it in the manifest. */
export async function openConfiguredRun(config: Config, hooks: StageStartHooks): Promise<RunDir> {
  const run = await openRunDir(config.run.dir, { resolvedConfig: config, configHash: configHash(config) });
  try {
    const backend = await selectBackend(config.backend.name, undefined, hooks.log, { threads: config.backend.threads });
    hooks.log(describeBackend(backend));
    await run.recordBackend(backend.name, backend.detail);
  } catch (error) {
    await run.close();
    throw error;
  }
  return run;
}
