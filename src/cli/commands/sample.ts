/**
 * `s3gan sample --run DIR --out grid.png`: images from a run's newest checkpoint (or a chosen one),
 * one row per class labelled with the class name, or `-n` images of one class with `--class`. The
 * format follows --out (sample-out.ts): a grid image by its extension (PNG, JPEG or WebP), an array
 * file (.npy), or a folder of PNGs (a path ending in '/'). Reads only; it can run while the run
 * is still training.
 */
import { Command, InvalidArgumentError } from 'commander';
import * as path from 'node:path';
import { writeFileAtomic } from '../../artifacts/atomic-write.js';
import { writeImageFolder } from '../../artifacts/image-files.js';
import { imageGrid, writeGridImage } from '../../artifacts/image-grid.js';
import { encodeNpyUint8 } from '../../artifacts/npy.js';
import { loadGenerator, sample } from '../../api/generator.js';
import { balancedClasses } from '../../eval/generate.js';
import { readCheckpointState } from '../../training/gan/checkpoint.js';
import { checkpointName, listCheckpoints } from '../../training/common/checkpoint-names.js';
import { classRowLabels, rowPerClass } from '../../training/gan/samples.js';
import { UserError } from '../../util/errors.js';
import { flagOverride } from '../../config/overrides.js';
import { commandConfig, globalFlags, print } from '../context.js';
import { STDERR_HOOKS } from '../load-dataset.js';
import { sampleOut, type SampleOut } from '../sample-out.js';
import { GAN_CHECKPOINTS_DIR } from '../../artifacts/run-layout.js';

interface SampleFlags {
  run?: string;
  out: string;
  class?: number;
  count: number;
  ema?: boolean;
  seed?: number;
  step?: number;
  scale: number;
}

function integer(flag: string, min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${flag} must be an integer ≥ ${min}, got '${value}'`);
    return n;
  };
}

/**
 * The class of each image: one class with --class; for a grid one row of ⌈n / classes⌉ per class;
 * for files exactly n images, the classes in turn (image i has class i mod classes).
 */
function sampleClasses(out: SampleOut, count: number, numClasses: number, only: number | undefined): { classes: Int32Array; rows: number } {
  if (only !== undefined) return { classes: new Int32Array(count).fill(only), rows: 1 };
  if (numClasses === 0) return { classes: new Int32Array(count), rows: 1 };
  if (out.kind !== 'grid') return { classes: balancedClasses(count, numClasses), rows: 1 };
  return { classes: rowPerClass(numClasses, Math.max(1, Math.ceil(count / numClasses))), rows: numClasses };
}

export function sampleCommand(): Command {
  return new Command('sample')
    .description("write generated images from a run's newest checkpoint: a grid (rows = classes, labelled with their names), one PNG per image, or an array file")
    .option('--run <dir>', 'run directory (run.dir)')
    .requiredOption(
      '--out <path>',
      'what to write, by its form: a grid image by its extension (.png, .jpg/.jpeg or .webp); an array file (.npy: uint8 [n, height, width, channels]); or a folder of PNGs, one per image, with labels.csv for a conditional generator (a path ending in /, new or empty)',
    )
    .option('--class <k>', 'only class k (0-based): n images (a grid: square-ish)', integer('--class', 0))
    .option('-n, --count <n>', 'images in all (a grid without --class: rows of n / classes)', integer('--count', 1), 64)
    .option('--ema', "use the generator's weight average (G-EMA), as for evaluation")
    .option('--seed <s>', 'noise seed (default: the config seed)', integer('--seed', 0))
    .option('--step <n>', 'use the checkpoint of this step instead of the newest', integer('--step', 0))
    .option('--scale <k>', 'integer upscaling of each image (grids only)', integer('--scale', 1), 2)
    .addHelpText(
      'after',
      '\nExamples:\n  s3gan sample --run runs/mnist-full --ema --out samples.png\n  s3gan sample --run runs/mnist-full --class 3 -n 16 --out threes.jpg\n' +
        '  s3gan sample --run runs/mnist-full --ema -n 10000 --out samples/\n  s3gan sample --run runs/mnist-full --ema -n 10000 --out samples.npy\n\n' +
        'Files (a folder or .npy) hold exactly n images at the generator\'s size; a conditional generator takes the\n' +
        'classes in turn (image i has class i mod classes) unless --class is given. The .npy array is uint8 pixels\n' +
        '0..255, NHWC, as the PNGs hold them: numpy.load("samples.npy") gives shape (n, height, width, channels).',
    )
    .action(async (flags: SampleFlags, self: Command) => {
      const out = sampleOut(flags.out);
      if (out.kind !== 'grid' && self.getOptionValueSource('scale') === 'cli') throw new UserError(`--scale applies to grid images only, not to --out ${flags.out}`);
      const { config } = await commandConfig(self, flagOverride('--run', 'run.dir', flags.run), flags.run);
      const checkpoints = await listCheckpoints(path.resolve(config.run.dir, GAN_CHECKPOINTS_DIR));
      const chosen = flags.step === undefined ? checkpoints.at(-1) : checkpoints.find((c) => c.step === flags.step);
      if (chosen === undefined) {
        const where = path.resolve(config.run.dir, GAN_CHECKPOINTS_DIR);
        throw new UserError(
          flags.step === undefined
            ? `no checkpoint in ${where}: train first (s3gan train --run ${config.run.dir})`
            : `--step ${flags.step}: no ${checkpointName(flags.step)} in ${where} (have: ${checkpoints.map((c) => c.step).join(', ') || 'none'})`,
        );
      }
      const state = await readCheckpointState(chosen.path);
      const conditional = state.numClasses > 0;
      if (flags.class !== undefined && !(conditional && flags.class < state.numClasses)) {
        throw new UserError(conditional ? `--class ${flags.class}: the generator has classes 0..${state.numClasses - 1}` : '--class: this run trained an unconditional generator');
      }
      const modelDir = path.join(chosen.path, flags.ema ? 'generator-ema' : 'generator');
      if (globalFlags(self).dryRun) {
        print(`would sample ${flags.count} images from ${modelDir} into ${path.resolve(flags.out)}`);
        return;
      }
      const generator = await loadGenerator(config.run.dir, { ema: flags.ema, step: chosen.step, backend: config.backend.name, threads: config.backend.threads, log: STDERR_HOOKS.log });
      try {
        const { classes, rows } = sampleClasses(out, flags.count, state.numClasses, flags.class);
        const { pixels, shape } = sample(generator, { ...(conditional ? { classes: [...classes] } : { n: classes.length }), seed: flags.seed ?? config.seed });
        const classNames = classRowLabels(state.numClasses, state.classNames);
        if (out.kind === 'npy') {
          await writeFileAtomic(flags.out, encodeNpyUint8(pixels, shape));
        } else if (out.kind === 'png-dir') {
          await writeImageFolder(flags.out, pixels, shape, conditional ? { classes, classNames } : undefined);
        } else {
          const columns = rows === 1 ? Math.ceil(Math.sqrt(classes.length)) : classes.length / rows;
          // One row per class: each labelled with its name (checkpoints before names were recorded: its index).
          const rowLabels = rows > 1 ? classNames : undefined;
          await writeGridImage(flags.out, imageGrid(pixels, shape, { columns, scale: flags.scale, rowLabels }), out.format);
        }
        print(`${classes.length} images from ${modelDir} (step ${state.step}) → ${path.resolve(flags.out)}`);
      } finally {
        generator.dispose();
      }
    });
}
