/**
 * s3gan's user-level API (the package root, `import { train } from 's3gan'`): train a GAN, run a
 * whole pipeline (or some of its stages) in a run directory, open an existing run, load a trained
 * generator and sample it, evaluate a run. The CLI (src/cli) is a thin layer over these. The building blocks are grouped in subpath exports:
 * s3gan/config, s3gan/data, s3gan/nn, s3gan/training, s3gan/eval and s3gan/metrics (src/exports).
 */
export { train, type TrainOptions, type TrainSummary } from './api/train.js';
export { run, listPipelines, type RunOptions, type RunSummary, type StageSummary } from './api/run.js';
export { openRun, type OpenedRun } from './api/open-run.js';
export { loadGenerator, sample, type Generator, type LoadGeneratorOptions, type SampleOptions, type Samples } from './api/generator.js';
export { evaluate, type EvaluateOptions } from './api/evaluate.js';
export { runExperiment, type ExperimentOptions, type ExperimentSummary } from './experiment/runner.js';
export type { CellResult, CurvePoint, ExperimentResults, SharedStageResult } from './experiment/cell-result.js';
export { runWorker, type WorkerOptions } from './experiment/queue/worker.js';
export type { ConfigObject, ConfigOptions, OutputOptions, SettingValue } from './api/options.js';
export type { EvalResultsFile } from './stages/eval-stage.js';
export type { EvalResults, MetricResult } from './eval/results.js';
export type { EvalMetric } from './eval/metric-names.js';

export { loadConfig, presetNames, type LoadConfigOptions, type LoadedConfig } from './config/load.js';
export { METHOD_NAMES, BACKEND_NAMES, type Config, type ConfigInput } from './config/schema.js';
export { selectBackend, describeBackend, type BackendRequest, type BackendSelection } from './backend/select.js';

export { imageGrid, writeGridImage, type Grid, type GridFormat } from './artifacts/image-grid.js';
export { UserError } from './util/errors.js';
export { InterruptedError } from './util/interrupt.js';
export { DivergenceError } from './training/common/divergence.js';
export type { ProgressStream } from './util/progress.js';
