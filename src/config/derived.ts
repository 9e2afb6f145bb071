/** Library options and words derived from a validated config (dataset reader options, label budget). */
import type { Config } from './schema.js';
import type { LabelBudget } from '../data/label-subset.js';
import type { DatasetOptions } from '../data/options.js';

export function datasetOptions(config: Config): DatasetOptions {
  const { name, path, labelFile, classNames, imageSize, channels, testFraction, cacheDir, skipCorrupt } = config.data;
  return { name, path, labelFile, classNames, imageSize, channels, testFraction, cacheDir, skipCorrupt };
}

/** The labelled-subset budget the config asks for. */
export function labelBudget(config: Config): LabelBudget {
  return config.labels.perClass === undefined ? { fraction: config.labels.fraction ?? 0.01 } : { perClass: config.labels.perClass };
}

export function budgetText(config: Config): string {
  const budget = labelBudget(config);
  return 'fraction' in budget ? `labels.fraction=${budget.fraction}` : `labels.perClass=${budget.perClass}`;
}

/** What a dataset reader's progress counts: decoded images for folders; files or splits read whole otherwise. */
export function progressUnit(config: Config): string {
  switch (config.data.name) {
    case 'image-folder':
      return 'images';
    case 'mnist':
      return 'splits';
    default:
      return 'files';
  }
}
