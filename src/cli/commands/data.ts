/**
 * `s3gan data inspect [dataset]`: what a dataset holds (images per split and class, size, the
 * labelled subset the config would choose) and, with --out, a grid of examples, one row per class.
 */
import { Command } from 'commander';
import { resolve } from 'node:path';
import { gridByClass, writeGridImage } from '../../artifacts/image-grid.js';
import type { Config } from '../../config/schema.js';
import { labelledSubset } from '../../data/label-subset.js';
import { UNLABELLED, splitSize, type Dataset, type ImageSplit } from '../../data/types.js';
import { UserError } from '../../util/errors.js';
import { flagOverride } from '../../config/overrides.js';
import { gridOutFormat } from '../grid-out.js';
import { commandConfig, formatCount, globalFlags, print } from '../context.js';
import { budgetText, labelBudget } from '../../config/derived.js';
import { loadConfiguredDataset } from '../load-dataset.js';

interface InspectFlags {
  path?: string;
  labelFile?: string;
  skipCorrupt?: boolean;
  out?: string;
  perClass: string;
  scale: string;
}

function classCounts(split: ImageSplit, numClasses: number): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (const label of split.labels) if (label !== UNLABELLED) counts[label]++;
  return counts;
}

function unlabelledCount(split: ImageSplit): number {
  return split.labels.reduce((n, label) => n + (label === UNLABELLED ? 1 : 0), 0);
}

function pad(text: string, width: number, right = false): string {
  return right ? text.padStart(width) : text.padEnd(width);
}

function report(dataset: Dataset, config: Config): void {
  const [, height, width, channels] = dataset.train.shape;
  const splits = [['train', dataset.train], ['test', dataset.test]].filter((entry): entry is [string, ImageSplit] => entry[1] !== undefined);
  print(`dataset  ${dataset.name}`);
  print(`source   ${dataset.source}`);
  print(`images   ${height}×${width}×${channels} uint8, ${dataset.classNames.length} classes`);
  print();
  print(`${pad('split', 8)}${pad('images', 10, true)}${pad('labelled', 10, true)}${pad('unlabelled', 12, true)}`);
  for (const [name, split] of splits) {
    const unlabelled = unlabelledCount(split);
    print(`${pad(name, 8)}${pad(formatCount(splitSize(split)), 10, true)}${pad(formatCount(splitSize(split) - unlabelled), 10, true)}${pad(formatCount(unlabelled), 12, true)}`);
  }
  print();
  const nameWidth = Math.max(8, ...dataset.classNames.map((n, i) => `${i} ${n}`.length + 2));
  print(pad('class', nameWidth) + splits.map(([name]) => pad(name, 10, true)).join(''));
  const counts = splits.map(([, split]) => classCounts(split, dataset.classNames.length));
  dataset.classNames.forEach((className, c) => {
    print(pad(`${c} ${className}`, nameWidth) + counts.map((perSplit) => pad(formatCount(perSplit[c]), 10, true)).join(''));
  });
  print();
  const labelledTrain = splitSize(dataset.train) - unlabelledCount(dataset.train);
  const budget = `labelled subset (${budgetText(config)}, seed ${config.labels.seed})`;
  try {
    const subset = labelledSubset(dataset.train, dataset.classNames, labelBudget(config), config.labels.seed);
    print(
      `${budget}: ${formatCount(subset.ids.length)} of ${formatCount(labelledTrain)} labelled training images keep their label; ${formatCount(splitSize(dataset.train) - subset.ids.length)} are treated as unlabelled`,
    );
  } catch (error) {
    // Inspecting is still useful when the configured budget does not fit this dataset: say why.
    if (!(error instanceof UserError)) throw error;
    print(`${budget}: not possible here: ${error.message}`);
  }
  if (dataset.skipped !== undefined && dataset.skipped.length > 0) {
    print();
    print(`skipped ${dataset.skipped.length} corrupt image(s):`);
    for (const file of dataset.skipped) print(`  ${file}`);
  }
}

export function dataCommand(): Command {
  const command = new Command('data').description('inspect datasets');
  command
    .command('inspect')
    .description('print images per split and class, image size and labelled counts; --out writes a grid (one row per class)')
    .argument('[dataset]', 'mnist | fashion-mnist | cifar10 | image-folder (default: data.name of the config)')
    .option('--path <dir>', 'dataset location (data.path): cifar-10-batches-bin/ or the image folder')
    .option('--label-file <file>', 'CSV/JSON label file for a flat image folder (data.labelFile)')
    .option('--skip-corrupt', 'skip undecodable images and list them (data.skipCorrupt)')
    .option('--out <file>', 'write a grid of training images, one row per class labelled with its name (.png, .jpg or .webp)')
    .option('--per-class <n>', 'images per class in the grid', '10')
    .option('--scale <n>', 'integer enlargement of the grid images', '1')
    .action(async (dataset: string | undefined, flags: InspectFlags, self: Command) => {
      const overrides = [
        ...flagOverride('dataset argument', 'data.name', dataset),
        ...flagOverride('--path', 'data.path', flags.path),
        ...flagOverride('--label-file', 'data.labelFile', flags.labelFile),
        ...(flags.skipCorrupt === true ? ['data.skipCorrupt=true'] : []),
      ];
      const perClass = Number(flags.perClass);
      const scale = Number(flags.scale);
      if (!Number.isInteger(perClass) || perClass < 1 || perClass > 100) throw new UserError(`--per-class ${flags.perClass}: expected an integer from 1 to 100`);
      if (!Number.isInteger(scale) || scale < 1 || scale > 16) throw new UserError(`--scale ${flags.scale}: expected an integer from 1 to 16`);
      const format = flags.out === undefined ? undefined : gridOutFormat(flags.out);
      const { config } = await commandConfig(self, overrides);

      if (globalFlags(self).dryRun) {
        print(`would load ${config.data.name}${config.data.path === undefined ? '' : ` from ${config.data.path}`} (cache ${resolve(config.data.cacheDir)})`);
        if (flags.out !== undefined) print(`would write ${resolve(flags.out)} (${perClass} images per class, one row per class)`);
        return;
      }
      const loaded = await loadConfiguredDataset(config);
      report(loaded, config);
      if (flags.out !== undefined && format !== undefined) {
        const grid = gridByClass(loaded.train, loaded.classNames.length, perClass, { scale, rowLabels: loaded.classNames });
        await writeGridImage(resolve(flags.out), grid, format);
        print();
        print(`grid     ${flags.out} (${grid.width}×${grid.height} px: ${perClass} training images per class, rows = classes ${loaded.classNames.map((_, c) => c).join(',')})`);
      }
    });
  return command;
}
