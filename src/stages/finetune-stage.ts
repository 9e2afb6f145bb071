/**
 * The fine-tuning stage (docs/ALGORITHMS.md § Fine-tuning): the GAN stage of the configured method,
 * started from a source checkpoint's G, G-EMA and D instead of fresh networks, optionally with D's
 * first blocks frozen. The source is finetune.from, else the choice select-source recorded in the
 * run. Once the run has a checkpoint of its own it resumes from that, not from the source; the
 * source's weights hash is recorded in the manifest (stage inputs) and a changed source is refused.
 */
import { existsSync } from 'node:fs';
import type { RunDir } from '../artifacts/run-dir.js';
import { GAN_CHECKPOINTS_DIR, SELECT_SOURCE_FILE } from '../artifacts/run-layout.js';
import { configHash } from '../config/hash.js';
import type { Config } from '../config/schema.js';
import type { Dataset } from '../data/types.js';
import { getMethod } from '../methods/methods.js';
import { checkSourceFits, readFinetuneSource, type FinetuneSource } from '../training/gan/finetune-source.js';
import { freezeDiscriminatorBlocks, initialiseFromSource } from '../training/gan/finetune-weights.js';
import type { GanLoopResult } from '../training/gan/loop.js';
import { UserError } from '../util/errors.js';
import { ganStageHash, runGanStage, type GanStageOptions } from './gan-stage.js';
import { readSourceChoice } from './select-source-file.js';
import { checkPlan } from './plan-check.js';

export const FINETUNE_STAGE = 'finetune';

/** The prefix of the manifest `inputs` key that records the source (followed by its checkpoint path). */
const SOURCE_INPUT = 'source:';

/** finetune settings with their defaults (the section is optional). */
export function finetuneSettings(config: Config): NonNullable<Config['finetune']> {
  return config.finetune ?? { init: 'both', freezeDBlocks: 0, candidates: [], samples: 1000 };
}

/** The source to fine-tune from: finetune.from, else select-source's choice in `runDir`; the key that named it. */
export async function finetuneSourcePath(config: Config, runDir: string): Promise<{ path: string; key: string }> {
  const from = config.finetune?.from;
  if (from !== undefined) return { path: from, key: 'finetune.from' };
  const file = `${runDir}/${SELECT_SOURCE_FILE}`;
  if (existsSync(file)) return { path: (await readSourceChoice(file)).chosen, key: file };
  throw new UserError(`finetune.from is not set and ${file} does not exist: name a source (--from RUN_OR_CHECKPOINT) or run select-source first`);
}

/** Reads the source and refuses one whose networks cannot become the configured ones; nothing is written. */
export async function checkFinetuneSource(config: Config, dataset: Dataset, sourcePath: string, key = 'finetune.from'): Promise<FinetuneSource> {
  checkPlan(config, dataset, { stages: ['gan'] });
  const source = await readFinetuneSource(sourcePath, key);
  checkSourceFits(source, config, dataset.train.shape[3], key);
  return source;
}

/** The stage's config hash: the GAN stage's, the fine-tuning settings and the source's weights. */
export function finetuneStageHash(config: Config, source: FinetuneSource): string {
  const { candidates: _candidates, samples: _samples, ...settings } = finetuneSettings(config);
  return configHash({ gan: ganStageHash(config), finetune: settings, source: source.weightsHash });
}

export async function runFinetuneStage(run: RunDir, dataset: Dataset, config: Config, options: GanStageOptions = {}): Promise<GanLoopResult & { source: FinetuneSource }> {
  const named = await finetuneSourcePath(config, run.path);
  const source = await checkFinetuneSource(config, dataset, named.path, named.key);
  const settings = finetuneSettings(config);
  const method = getMethod(config.gan.method);
  const note = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const prepare = async (training: Parameters<NonNullable<GanStageOptions['prepare']>>[0], resumedFrom: number): Promise<void> => {
    if (resumedFrom > 0) {
      await checkSameSource(run, source);
    } else {
      note(`fine-tuning from ${source.checkpoint} (step ${source.state.step}, ${source.weightsHash.slice(0, 19)}…), initialising ${settings.init === 'both' ? 'G, G-EMA and D' : settings.init === 'generator' ? 'G and G-EMA' : 'D'}`);
      const lines = await initialiseFromSource(training, source.checkpoint, {
        init: settings.init,
        sourceClasses: source.state.numClasses,
        targetClasses: method.conditional ? dataset.classNames.length : 0,
        key: named.key,
      });
      for (const line of lines) note(`  adapted: ${line}`);
    }
    const discriminator = training.models.discriminator;
    if (discriminator !== undefined && settings.freezeDBlocks > 0) {
      const frozen = freezeDiscriminatorBlocks(discriminator, settings.freezeDBlocks);
      if (resumedFrom === 0) note(`FreezeD: D's first ${settings.freezeDBlocks} block(s) frozen (${frozen.join(', ')})`);
    }
  };
  const result = await runGanStage(run, dataset, config, {
    ...options,
    stage: FINETUNE_STAGE,
    stageHash: finetuneStageHash(config, source),
    inputs: { [`${SOURCE_INPUT}${source.checkpoint}`]: source.weightsHash },
    prepare,
  });
  return { ...result, source };
}

/**
 * Refuses to resume a fine-tuning whose source has changed since it started (other weights, or
 * another checkpoint as a run's newest): its checkpoints belong to the old start.
 */
async function checkSameSource(run: RunDir, source: FinetuneSource): Promise<void> {
  const recorded = Object.entries((await run.manifest()).stages[FINETUNE_STAGE]?.inputs ?? {}).find(([key]) => key.startsWith(SOURCE_INPUT));
  if (recorded === undefined) return;
  const [key, hash] = recorded;
  if (key === `${SOURCE_INPUT}${source.checkpoint}` && hash === source.weightsHash) return;
  throw new UserError(
    `the fine-tuning source has changed since ${run.path} started from it (was ${key.slice(SOURCE_INPUT.length)} ${hash.slice(0, 19)}…, now ${source.checkpoint} ${source.weightsHash.slice(0, 19)}…): ` +
      `fine-tune in another run directory (--run), or delete ${run.file(GAN_CHECKPOINTS_DIR)} to start afresh from the new source`,
  );
}
