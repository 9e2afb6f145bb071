/**
 * `s3gan sample --run DIR --out grid.png`: images from a run's newest checkpoint (or a chosen one),
 * one row per class labelled with the class name, or `-n` images of one class with `--class`. The
 * format follows the extension of --out (PNG, JPEG or WebP). Reads only; it can run while the run
 * is still training.
 */
import { Command, InvalidArgumentError } from 'commander';
import * as path from 'node:path';
import { imageGrid, writeGridImage } from '../../artifacts/image-grid.js';
import { loadGenerator, sample } from '../../api/generator.js';
import { GAN_CHECKPOINTS_DIR } from '../../artifacts/run-dir.js';
import { checkpointName, listCheckpoints, readCheckpointState } from '../../training/checkpoint.js';
import { classRowLabels, rowPerClass } from '../../training/samples.js';
import { UserError } from '../../util/errors.js';
import { flagOverride } from '../../config/overrides.js';
import { commandConfig, globalFlags, print } from '../context.js';
import { gridOutFormat } from '../grid-out.js';
import { STDERR_HOOKS } from '../load-dataset.js';

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

export function sampleCommand(): Command {
  return new Command('sample')
    .description("write a grid of generated images from a run's newest checkpoint (rows = classes, labelled with their names)")
    .option('--run <dir>', 'run directory (run.dir)')
    .requiredOption('--out <file>', 'image file to write; its extension picks the format: .png, .jpg/.jpeg or .webp')
    .option('--class <k>', 'only class k (0-based): n images in a square-ish grid', integer('--class', 0))
    .option('-n, --count <n>', 'images in all (rows of n / classes without --class)', integer('--count', 1), 64)
    .option('--ema', "use the generator's weight average (G-EMA), as for evaluation")
    .option('--seed <s>', 'noise seed (default: the config seed)', integer('--seed', 0))
    .option('--step <n>', 'use the checkpoint of this step instead of the newest', integer('--step', 0))
    .option('--scale <k>', 'integer upscaling of each image', integer('--scale', 1), 2)
    .addHelpText('after', '\nExamples:\n  s3gan sample --run runs/mnist-full --ema --out samples.png\n  s3gan sample --run runs/mnist-full --class 3 -n 16 --out threes.jpg')
    .action(async (flags: SampleFlags, self: Command) => {
      const format = gridOutFormat(flags.out);
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
        const rows = flags.class !== undefined || !conditional ? 1 : state.numClasses;
        const perRow = Math.max(1, Math.ceil(flags.count / rows));
        const classes = flags.class !== undefined ? new Int32Array(flags.count).fill(flags.class) : conditional ? rowPerClass(rows, perRow) : new Int32Array(flags.count);
        const { pixels, shape } = sample(generator, { ...(conditional ? { classes: [...classes] } : { n: classes.length }), seed: flags.seed ?? config.seed });
        const columns = rows === 1 ? Math.ceil(Math.sqrt(classes.length)) : perRow;
        // One row per class: each labelled with its name (checkpoints before names were recorded: its index).
        const rowLabels = rows > 1 ? classRowLabels(rows, state.classNames) : undefined;
        await writeGridImage(flags.out, imageGrid(pixels, shape, { columns, scale: flags.scale, rowLabels }), format);
        print(`${classes.length} images from ${modelDir} (step ${state.step}) → ${path.resolve(flags.out)}`);
      } finally {
        generator.dispose();
      }
    });
}
