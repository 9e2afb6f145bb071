/**
 * The evaluation stage: a run's generator (its newest checkpoint, or a chosen step; G or G-EMA)
 * scored against the real split of eval.split, the results written to eval/results.json (the
 * latest) and appended as one line to eval/history.jsonl (every evaluation, oldest first), the
 * stage recorded in the manifest as 'eval'. Used by `s3gan eval` and by the pipelines.
 */
import * as path from 'node:path';
import { writeJsonAtomic } from '../artifacts/atomic-write.js';
import { appendJsonLine, readJsonLines } from '../artifacts/json-lines.js';
import { readModelDir } from '../artifacts/model-files.js';
import type { RunDir } from '../artifacts/run-dir.js';
import { configHash } from '../config/hash.js';
import type { Config } from '../config/schema.js';
import type { Dataset } from '../data/types.js';
import { formatSkipped, metricFacts, selectMetrics, type MetricRequest, type MetricSelection } from '../eval/applicability.js';
import { checkGenerator, evaluateGenerator } from '../eval/evaluate.js';
import { prepareEvaluation } from '../eval/evaluator.js';
import type { EvalResults, GeneratorKind } from '../eval/results.js';
import '../nn/layers/index.js';
import { readCheckpointState } from '../training/gan/checkpoint.js';
import { checkpointName, listCheckpoints } from '../training/common/checkpoint-names.js';
import { UserError } from '../util/errors.js';
import type { ProgressStream } from '../util/progress.js';
import { EVAL_DIR, EVAL_HISTORY_FILE, EVAL_RESULTS_FILE, GAN_CHECKPOINTS_DIR, runPath } from '../artifacts/run-layout.js';

export const EVAL_STAGE = 'eval';

/** eval/results.json: the results plus the checkpoint they came from. */
export type EvalResultsFile = EvalResults & {
  /** Checkpoint directory of the generator, relative to the run directory. */
  readonly checkpoint: string;
};

export interface EvalStageOptions {
  /** Sample G-EMA (true) or G itself. */
  readonly ema: boolean;
  /** Checkpoint step (default: the newest). */
  readonly step?: number;
  /** Which metrics (default: eval.metrics, each of which must apply); see applicability.ts. */
  readonly metrics?: MetricRequest;
  /** Noise seed (default: config.seed). */
  readonly seed?: number;
  readonly progressStream?: ProgressStream;
  /** Lines for the user (cache hits, classifier training and accuracy). */
  readonly log?: (line: string) => void;
  /** Called after each update of the domain classifier when it has to be trained (tests). */
  readonly onClassifierStep?: (step: number, loss: number) => void;
}

/** The config sections an evaluation's result depends on. */
export function evalStageHash(config: Config): string {
  return configHash({ seed: config.seed, data: config.data, labels: config.labels, gan: config.gan, eval: config.eval });
}

/** The checkpoint of `step` (default the newest) in `checkpointsDir`, or a UserError saying what exists. */
export async function findCheckpoint(checkpointsDir: string, runDir: string, step?: number): Promise<{ step: number; path: string }> {
  const checkpoints = await listCheckpoints(checkpointsDir);
  const chosen = step === undefined ? checkpoints.at(-1) : checkpoints.find((c) => c.step === step);
  if (chosen !== undefined) return chosen;
  throw new UserError(
    step === undefined
      ? `no checkpoint in ${checkpointsDir}: train first (s3gan train --run ${runDir})`
      : `--step ${step}: no ${checkpointName(step)} in ${checkpointsDir} (have: ${checkpoints.map((c) => c.step).join(', ') || 'none'})`,
  );
}

/** The metrics asked for by eval.metrics. */
export function configMetrics(config: Config): MetricRequest {
  return { kind: 'named', metrics: config.eval.metrics, source: 'eval.metrics' };
}

/**
 * The metrics `request` gives for the generator of `checkpoint` on `dataset`, from the checkpoint's
 * state alone (no model is loaded): a UserError when a named metric cannot apply.
 */
export async function selectEvalMetrics(config: Config, dataset: Dataset, checkpoint: string, request: MetricRequest): Promise<MetricSelection> {
  const state = await readCheckpointState(checkpoint);
  return selectMetrics(request, metricFacts(config, dataset, state.numClasses > 0));
}

export async function runEvalStage(run: RunDir, dataset: Dataset, config: Config, options: EvalStageOptions): Promise<{ results: EvalResultsFile; file: string }> {
  const checkpoint = await findCheckpoint(run.file(GAN_CHECKPOINTS_DIR), run.path, options.step);
  const generatorKind: GeneratorKind = options.ema ? 'generator-ema' : 'generator';
  // Every metric is checked against this generator and dataset before anything is trained or written.
  const { metrics, skipped } = await selectEvalMetrics(config, dataset, checkpoint.path, options.metrics ?? configMetrics(config));
  for (const line of formatSkipped(skipped)) options.log?.(line);
  // The stage starts (and the run directory is first written) once the generator, the evaluator
  // and their fit are checked: a refused evaluation leaves the run as it was.
  let started = false;
  try {
    // 1. The generator, and the evaluator (domain classifier, extractor, real reference).
    const generator = await readModelDir(path.join(checkpoint.path, generatorKind));
    let results: EvalResults;
    try {
      const evaluator = await prepareEvaluation({
        dataset,
        config,
        metrics,
        realSamples: config.eval.samples,
        progressStream: options.progressStream,
        log: options.log,
        onClassifierStep: options.onClassifierStep,
      });
      try {
        checkGenerator(evaluator, generator, metrics);
        await run.markStage(EVAL_STAGE, { status: 'running', artifacts: [], configHash: evalStageHash(config) });
        started = true;
        // 2. Generate, read, score.
        results = await evaluateGenerator(evaluator, generator, {
          samples: config.eval.samples,
          metrics,
          skipped,
          seed: options.seed ?? config.seed,
          generatorKind,
          step: checkpoint.step,
          progressStream: options.progressStream,
        });
      } finally {
        evaluator.dispose();
      }
    } finally {
      generator.dispose();
    }

    // 3. The record, written atomically and appended to the history, then the manifest.
    const file = run.file(EVAL_RESULTS_FILE);
    const record: EvalResultsFile = { ...results, checkpoint: path.relative(run.path, checkpoint.path).split(path.sep).join('/') };
    await run.ensureDir(EVAL_DIR);
    await writeJsonAtomic(file, record);
    appendJsonLine(run.file(EVAL_HISTORY_FILE), record);
    await run.markStage(EVAL_STAGE, { status: 'done', artifacts: [EVAL_RESULTS_FILE, EVAL_HISTORY_FILE], configHash: evalStageHash(config) });
    return { results: record, file };
  } catch (error) {
    if (started) await run.markStage(EVAL_STAGE, { status: 'failed', error: error instanceof Error ? error.message : String(error) });
    throw error;
  }
}

/**
 * Every evaluation of the run at `runDir`, oldest first (eval/history.jsonl); none before the first.
 * A line cut short by a killed evaluation is skipped.
 */
export async function readEvalHistory(runDir: string): Promise<EvalResultsFile[]> {
  return (await readJsonLines(runPath(runDir, EVAL_HISTORY_FILE))) as EvalResultsFile[];
}
