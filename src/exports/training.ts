/**
 * `s3gan/training`: the methods, the training steps and loop, EMA, checkpoints and exports, the
 * stages and pipelines, run directories and their artifacts (report, charts), backend selection and
 * progress.
 */
export { METHODS, getMethod, type MethodName, type MethodSpec, type LabelSource } from '../methods/methods.js';
export { discriminatorStep, generatorStep, type GanModels, type StepOptions } from '../training/gan/steps.js';
export { trainableVariables } from '../training/common/variables.js';
export { buildObjective, methodObjective, Objective, TERMS, TERM_NAMES, type ObjectiveTerm, type TermFactory, type TermName, type ForwardOutputs, type PhaseNetwork } from '../training/gan/objective/index.js';
export { WeightAverage } from '../training/gan/ema.js';
export { trainGan, type GanLoopInputs, type GanLoopResult } from '../training/gan/loop.js';
export { DivergenceError } from '../training/common/divergence.js';
export { exportGenerator, plainGeneratorArtifacts, type ExportOptions } from '../training/gan/export.js';
export { generateImages, classGrid } from '../training/gan/samples.js';
export { loadCheckpoint, readCheckpointState } from '../training/gan/checkpoint.js';
export { listCheckpoints } from '../training/common/checkpoint-names.js';
export { readModelDir, writeModelDir } from '../artifacts/model-files.js';
export { runGanStage, GAN_STAGE } from '../stages/gan-stage.js';
export { runPretrainStage } from '../stages/pretrain-stage.js';
export { runPseudoLabelStage } from '../stages/pseudo-label-stage.js';
export { runEvalStage, readEvalHistory, type EvalResultsFile } from '../stages/eval-stage.js';
export { writeReport } from '../report/write-report.js';
export { lineChartPng, lineChartSpec, lineChartSvg, writeLineChartPng, type LineChartOptions, type PlotPoint } from '../plots/index.js';
export { runPipeline, definePipeline, type Pipeline, type PipelineStage, type StageContext, type StageOutcome } from '../stages/pipeline.js';
export { listPipelines, pipelineFor, readPipelineFile, pipelinesDir } from '../stages/pipeline-files.js';
export { STAGES, getStage, stageNames } from '../stages/stage-registry.js';
export { pipelineConfig, pipelineStages, runInRun, type RunInRunHooks } from '../api/run.js';
export { loadPlannedDataset, openConfiguredRun, type StageStartHooks } from '../stages/stage-start.js';
export { openRunDir, type RunDir } from '../artifacts/run-dir.js';
export { writeFileAtomic, writeJsonAtomic } from '../artifacts/atomic-write.js';
export { MetricsLog } from '../artifacts/metrics-log.js';
export { imageGrid, gridByClass, gridFormatOf, writeGridImage, writeGridPng, type Grid, type GridFormat } from '../artifacts/image-grid.js';
export { selectBackend, describeBackend, type BackendSelection } from '../backend/select.js';
export { createProgress, type Progress, type ProgressStream } from '../util/progress.js';
export { UserError } from '../util/errors.js';
export { InterruptedError, signalStopRequest, type StopRequest } from '../util/interrupt.js';
export { EVAL_HISTORY_FILE, EVAL_RESULTS_FILE, GAN_EXPORT_DIR } from '../artifacts/run-layout.js';
