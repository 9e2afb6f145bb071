/**
 * Loading the configured dataset, as every command does it: a progress line while decoding, then
 * on stderr what the user did not choose but should know: the channel count inferred for an image
 * folder, where its test split came from, and the images data.skipCorrupt left out.
 */
import { datasetOptions, progressUnit } from '../config/derived.js';
import type { Config } from '../config/schema.js';
import { DEFAULT_TEST_FRACTION, isTestId } from '../data/image-folder-split.js';
import { loadDataset } from '../data/registry.js';
import { splitSize, type Dataset } from '../data/types.js';
import { progressFn } from '../util/progress.js';
import { formatCount } from './context.js';

/** Skipped images named on stderr; the rest are counted (data inspect lists them all). */
const SKIPPED_SHOWN = 5;

/** Loads the dataset `config` describes and reports what was decided while loading. */
export async function loadConfiguredDataset(config: Config): Promise<Dataset> {
  const dataset = await loadDataset(datasetOptions(config), { onProgress: progressFn({ label: 'load', unit: progressUnit(config) }) });
  for (const line of loadNotes(dataset, config)) process.stderr.write(`${line}\n`);
  return dataset;
}

/** The lines loadConfiguredDataset prints (exported for tests). */
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
