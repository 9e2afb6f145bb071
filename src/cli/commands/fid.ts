/**
 * `s3gan fid A B`: scores the images of A against those of B (a folder, or a dataset split written
 * NAME:SPLIT) with the evaluation network: FID, KID and precision/recall by default. Writes nothing
 * but the caches of the domain classifier and the reference features under data.cacheDir.
 */
import { Command, InvalidArgumentError } from 'commander';
import { reportBackend, selectBackend } from '../../backend/select.js';
import { flagOverride } from '../../config/overrides.js';
import { listImageSet, parseImageSetSpec, type ImageSetSpec } from '../../eval/image-sets.js';
import { formatMetricValue, formatResultWarnings } from '../../eval/results.js';
import { DEFAULT_IMAGE_SET_METRICS, IMAGE_SET_METRICS, parseImageSetMetrics, scoreImageSets, type ImageSetScores } from '../../eval/score-image-sets.js';
import { UserError } from '../../util/errors.js';
import { commandConfig, formatCount, globalFlags, print } from '../context.js';
import { loadConfiguredDataset } from '../load-dataset.js';

interface FidFlags {
  extractor?: string;
  samples?: number;
  metrics?: string;
  seed?: number;
  json?: boolean;
}

function integer(flag: string, min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${flag} must be an integer ≥ ${min}, got '${value}'`);
    return n;
  };
}

/** The dataset named by the split sides (at most one), or undefined when both are folders. */
function splitDataset(a: ImageSetSpec, b: ImageSetSpec): string | undefined {
  const names = [a, b].flatMap((spec) => (spec.kind === 'split' ? [spec.dataset] : []));
  if (names.length === 2 && names[0] !== names[1]) {
    throw new UserError(`${a.text} and ${b.text}: both splits must be of one dataset, whose evaluation network reads them`);
  }
  return names[0];
}

/** The scores as a heading and an aligned table. */
function formatScores(scores: ImageSetScores): string[] {
  const side = (s: ImageSetScores['a']) => `${s.set} (${formatCount(s.images)} images)`;
  const rows = scores.metrics.map((m) => [m.metric, formatMetricValue(m.value), m.std === undefined ? '' : formatMetricValue(m.std)]);
  const header = ['metric', 'value', '±'];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) => cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ').trimEnd();
  const extractor = `${scores.extractor.name} (${scores.extractor.featureDim} features${scores.extractor.kind === 'domain-classifier' ? ` of ${scores.dataset}` : ''})`;
  return [`${side(scores.a)} against ${side(scores.b)}; extractor ${extractor}`, line(header), ...rows.map(line)];
}

export function fidCommand(): Command {
  return new Command('fid')
    .description('score the images of A against those of B (folders or dataset splits) with the evaluation network: FID, KID, precision/recall')
    .argument('<A>', 'the images under test: a folder, or a dataset split NAME:SPLIT (e.g. mnist:train)')
    .argument('<B>', 'the reference images: a folder, or a dataset split NAME:SPLIT (e.g. mnist:test)')
    .option('--extractor <path>', 'a tfjs model on disk as feature extractor (eval.extractorPath; its layer: --set eval.extractorLayer=NAME)')
    .option('--samples <n>', 'images of a dataset split, a fixed subset as s3gan eval uses (eval.samples); folders are read whole', integer('--samples', 2))
    .option(
      '--metrics <list>',
      `comma-separated: ${IMAGE_SET_METRICS.join(', ')}, or all (default ${DEFAULT_IMAGE_SET_METRICS.join(',')})`,
      (value: string) => parseImageSetMetrics(value, '--metrics').join(','),
    )
    .option('--seed <s>', "seed of KID's subsets (default: the config seed)", integer('--seed', 0))
    .option('--json', 'print the scores as one JSON object instead of a table')
    .addHelpText(
      'after',
      '\nExamples:\n  s3gan fid samples/ mnist:test\n  s3gan fid samples-a/ samples-b/\n  s3gan fid mnist:train mnist:test --samples 10000\n' +
        '  s3gan fid samples/ cifar10:test --set data.path=data/cifar-10-batches-bin --set data.imageSize=32\n' +
        '  s3gan fid samples/ photos/ --extractor models/inception/model.json --set eval.extractorLayer=pool3\n\n' +
        'A and B are folders (images anywhere below; PNG, JPEG or WebP) or dataset splits NAME:SPLIT with NAME one of\n' +
        'mnist, fashion-mnist, cifar10, image-folder (the folder of data.path) and SPLIT train or test. A value holding\n' +
        "'/' or starting with '.' is a folder (./a:b is the folder a:b). The images are read as the GAN reads its data:\n" +
        'brought to data.imageSize (data.fit), with the channels of the dataset, by the evaluation network of the split\n' +
        "sides' dataset, or of the config's dataset (data.name) when both are folders, or by --extractor. --config\n" +
        'gives that geometry, e.g. the config of the run that generated the samples.\n\n' +
        'FID and KID are symmetric. Precision is the fraction of A inside the manifold of B, recall that of B inside A.\n' +
        'KID reports no spread (with a warning) when its subsets must each be the whole of both sets.',
    )
    .action(async (aText: string, bText: string, flags: FidFlags, self: Command) => {
      // 1. The arguments, checked before anything is loaded.
      const a = parseImageSetSpec(aText);
      const b = parseImageSetSpec(bText);
      const datasetName = splitDataset(a, b);
      for (const spec of [a, b]) if (spec.kind === 'folder') await listImageSet(spec);
      const metrics = flags.metrics === undefined ? [...DEFAULT_IMAGE_SET_METRICS] : parseImageSetMetrics(flags.metrics, '--metrics');
      const { config } = await commandConfig(self, [
        ...flagOverride(datasetName === undefined ? '' : `${a.kind === 'split' ? a.text : b.text}`, 'data.name', datasetName),
        ...flagOverride('--extractor', 'eval.extractorPath', flags.extractor),
        ...flagOverride('--samples', 'eval.samples', flags.samples),
      ]);
      if (globalFlags(self).dryRun) {
        print(`would score ${a.text} against ${b.text} (${metrics.join(', ')}) with the evaluation network of ${config.data.name} at ${config.data.imageSize}×${config.data.imageSize}`);
        return;
      }
      // 2. The dataset (its network, its channels, its splits), the backend, the scores.
      const dataset = await loadConfiguredDataset(config);
      reportBackend(await selectBackend(config.backend.name, undefined, undefined, { threads: config.backend.threads }));
      const scores = await scoreImageSets({
        a,
        b,
        dataset,
        config,
        metrics,
        seed: flags.seed ?? config.seed,
        log: (line) => process.stderr.write(`${line}\n`),
      });
      for (const line of formatResultWarnings(scores.metrics)) process.stderr.write(`${line}\n`);
      if (flags.json === true) print(JSON.stringify(scores));
      else for (const line of formatScores(scores)) print(line);
    });
}
