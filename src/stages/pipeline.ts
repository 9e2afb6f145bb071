/**
 * Pipelines: an ordered list of stages run in one run directory (`s3gan run`). Each stage skips
 * itself when its artifact is complete and matches the config, and resumes from its newest
 * checkpoint when it was killed, so rerunning a pipeline continues where it stopped. The pipelines
 * themselves (which stages, for which methods) are data: pipelines/*.yaml, read by pipeline-files.ts,
 * naming stages of stage-registry.ts.
 */
import type { RunDir } from '../artifacts/run-dir.js';
import type { Config } from '../config/schema.js';
import type { Dataset } from '../data/types.js';
import type { MethodName } from '../methods/methods.js';
import type { StopRequest } from '../util/interrupt.js';
import type { ProgressStream } from '../util/progress.js';
import { checkPlan } from './plan-check.js';

export interface StageContext {
  readonly run: RunDir;
  readonly dataset: Dataset;
  readonly config: Config;
  readonly progressStream?: ProgressStream;
  /** Diagnostics for people (stderr). */
  readonly log: (line: string) => void;
  /** A stop request (Ctrl-C in the CLI), honoured by the training stages at a step boundary. */
  readonly stop?: StopRequest;
}

export interface StageOutcome {
  /** Whether the stage found its artifacts complete and did nothing. */
  readonly skipped: boolean;
  /** Result lines for the user (stdout). */
  readonly summary: readonly string[];
}

/** One stage as a pipeline runs it. */
export interface PipelineStage {
  /** Manifest stage name, e.g. 'pretrain'. */
  readonly name: string;
  readonly run: (context: StageContext) => Promise<StageOutcome>;
}

export interface Pipeline {
  readonly name: string;
  /** One line for --help and logs. */
  readonly summary: string;
  /** The GAN methods this pipeline trains (gan.method selects the pipeline). */
  readonly methods: readonly MethodName[];
  readonly stages: readonly PipelineStage[];
  /** Config this pipeline needs, as --set overrides applied under the user's own (e.g. k-means labels). */
  readonly overrides?: readonly string[];
  /** A config key that, when set, selects this pipeline whatever the method (pipeline-files.ts). */
  readonly selectedBy?: string;
}

/** Typed helper for pipeline files. */
export function definePipeline(pipeline: Pipeline): Pipeline {
  return Object.freeze(pipeline);
}

export interface PipelineRunOptions {
  /** Called before each stage with its position (1-based) and name. */
  readonly onStage?: (index: number, total: number, stage: PipelineStage) => void;
  /** Called as each stage ends, with its outcome (so its summary can be shown at once). */
  readonly onStageDone?: (index: number, total: number, stage: PipelineStage, outcome: StageOutcome) => void;
}

/**
 * Runs the stages in order; a failure stops the pipeline (the stage marks itself failed). A config
 * that a later stage would refuse on this dataset is refused before the first stage starts.
 */
export async function runPipeline(pipeline: Pipeline, context: StageContext, options: PipelineRunOptions = {}): Promise<{ stage: string; outcome: StageOutcome }[]> {
  checkPlan(context.config, context.dataset, { stages: pipeline.stages.map((s) => s.name) });
  const outcomes: { stage: string; outcome: StageOutcome }[] = [];
  for (const [i, stage] of pipeline.stages.entries()) {
    options.onStage?.(i + 1, pipeline.stages.length, stage);
    const outcome = await stage.run(context);
    options.onStageDone?.(i + 1, pipeline.stages.length, stage, outcome);
    outcomes.push({ stage: stage.name, outcome });
  }
  return outcomes;
}
