/**
 * `run(options)`: every stage of the pipeline that trains the configured method
 * (pipelines/<name>.yaml), or only the stages named in `stages`, in one run directory, from code,
 * as `s3gan run` runs it (the CLI calls pipelineConfig and runInRun below, as run does). Finished
 * stages are skipped and a killed one resumes, so the same call continues an interrupted run;
 * openRun (open-run.ts) reads where a run stands.
 */
import type { Config } from '../config/schema.js';
import type { Dataset } from '../data/types.js';
import { listPipelines, pipelineFor } from '../stages/pipeline-files.js';
import { definePipeline, runPipeline, type Pipeline, type PipelineStage, type StageOutcome } from '../stages/pipeline.js';
import { loadPlannedDataset, openConfiguredRun, type StageStartHooks } from '../stages/stage-start.js';
import type { StopRequest } from '../util/interrupt.js';
import { UserError } from '../util/errors.js';
import { abortStopRequest, optionOverrides, outputHooks, requireRunDir, resolveConfig } from './options.js';
import type { TrainOptions } from './train.js';

export { listPipelines, pipelineFor };

/** As for train: `steps` is gan.steps; `signal` stops the pretraining and GAN stages at a step boundary. */
export interface RunOptions extends TrainOptions {
  /**
   * Only these stages of the method's pipeline, in the pipeline's order (e.g. ['pretrain']);
   * default: all of them. A stage that needs an earlier one's artifacts refuses without them.
   */
  readonly stages?: readonly string[];
}

export interface StageSummary {
  /** Manifest stage name, e.g. 'pretrain'. */
  readonly stage: string;
  /** Whether its artifacts were complete already, so it did nothing. */
  readonly skipped: boolean;
  /** What it left, in lines for people (the paths and numbers `s3gan run` prints). */
  readonly summary: readonly string[];
}

export interface RunSummary {
  /** The run directory (absolute). */
  readonly runDir: string;
  readonly method: string;
  /** The pipeline that trains it (pipelines/). */
  readonly pipeline: string;
  readonly stages: readonly StageSummary[];
}

/** The config of a pipeline run: the pipeline's own settings go under the user's, so `set` still wins. */
export async function pipelineConfig(load: (pipelineOverrides: readonly string[]) => Promise<Config>): Promise<{ config: Config; pipeline: Pipeline }> {
  const first = await load([]);
  const pipeline = pipelineFor(first.gan.method, listPipelines(), first);
  return { config: pipeline.overrides === undefined ? first : await load(pipeline.overrides), pipeline };
}

/**
 * `pipeline` cut to the stages named in `names` (kept in the pipeline's order); each must be one of
 * its stages, else a UserError naming `option`. Undefined names: the whole pipeline.
 */
export function pipelineStages(pipeline: Pipeline, names: readonly string[] | undefined, option = 'stages'): Pipeline {
  if (names === undefined) return pipeline;
  const own = pipeline.stages.map((s) => s.name);
  for (const name of names) {
    if (!own.includes(name)) throw new UserError(`${option}: '${name}' is not a stage of pipeline '${pipeline.name}' (${own.join(' → ')})`);
  }
  if (names.length === 0) throw new UserError(`${option}: name at least one stage of pipeline '${pipeline.name}' (${own.join(' → ')})`);
  return definePipeline({ ...pipeline, stages: pipeline.stages.filter((s) => names.includes(s.name)) });
}

/** Runs the pipeline of the configured method (or its `stages`); see RunOptions. Bad input rejects with a UserError before anything is written. */
export async function run(options: RunOptions): Promise<RunSummary> {
  const runDir = requireRunDir(options.run);
  const own = optionOverrides({ run: ['run.dir', runDir], steps: ['gan.steps', options.steps] });
  const resolved = await pipelineConfig((pipelineOverrides) => resolveConfig(options, [...pipelineOverrides, ...own], runDir));
  const config = resolved.config;
  const pipeline = pipelineStages(resolved.pipeline, options.stages);
  const hooks = outputHooks(options);
  const dataset = await loadPlannedDataset(config, pipeline.stages.map((s) => s.name), hooks);
  return runInRun(config, pipeline, dataset, { ...hooks, stop: abortStopRequest(options.signal) });
}

export interface RunInRunHooks extends StageStartHooks {
  readonly stop?: StopRequest;
  /** Called before each stage with its position (1-based); default: logs `[1/3] pretrain`. */
  readonly onStage?: (index: number, total: number, stage: PipelineStage) => void;
  /** Called as each stage ends (a long run shows e.g. the pseudo-label accuracy hours before its end). */
  readonly onStageDone?: (index: number, total: number, stage: PipelineStage, outcome: StageOutcome) => void;
}

/** `pipeline` on a config whose dataset is loaded and planned: opens the run, runs the stages, closes it. */
export async function runInRun(config: Config, pipeline: Pipeline, dataset: Dataset, hooks: RunInRunHooks): Promise<RunSummary> {
  const runDir = await openConfiguredRun(config, hooks);
  const onStage = hooks.onStage ?? ((index: number, total: number, stage: PipelineStage) => hooks.log(`[${index}/${total}] ${stage.name}`));
  try {
    const outcomes = await runPipeline(
      pipeline,
      { run: runDir, dataset, config, log: hooks.log, progressStream: hooks.progressStream, stop: hooks.stop },
      { onStage, onStageDone: hooks.onStageDone },
    );
    return {
      runDir: runDir.path,
      method: config.gan.method,
      pipeline: pipeline.name,
      stages: outcomes.map(({ stage, outcome }) => ({ stage, skipped: outcome.skipped, summary: outcome.summary })),
    };
  } finally {
    await runDir.close();
  }
}
