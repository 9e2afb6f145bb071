/**
 * s3gan's library API. The CLI (src/cli) is a thin layer over these.
 */
export { UserError } from './util/errors.js';
export { InterruptedError, signalStopRequest, type StopRequest } from './util/interrupt.js';
export { Rng, type RngState } from './util/rng.js';

export { loadConfig, presetNames, type LoadConfigOptions, type LoadedConfig } from './config/load.js';
export { configSchema, METHOD_NAMES, BACKEND_NAMES, type Config, type ConfigInput } from './config/schema.js';
export { configHash } from './config/hash.js';

export { selectBackend, describeBackend, type BackendSelection } from './backend/select.js';

export { UNLABELLED, splitSize, type Dataset, type ImageSplit } from './data/types.js';
export { DATASET_NAMES, type DatasetName, type DatasetOptions, type ProgressFn } from './data/options.js';
export { loadDataset, parseDatasetName, type LoadHooks } from './data/registry.js';
export { writeCifarBatch } from './data/cifar10.js';
export { labelledSubset, maskToSubset, type LabelBudget, type LabelledSubset } from './data/label-subset.js';
export { LABELLED_SUBSET_FILE, readLabelledSubset, writeLabelledSubset } from './data/label-subset-file.js';
export { trainingBatches, batchIndices, type Batch, type BatchOptions } from './data/pipeline.js';
export { fitToSize, scaleToSymmetric, symmetricToPixels, type FitMode } from './data/transforms.js';
export { rot90, allRotations, NUM_ROTATIONS } from './data/rotate.js';

export { openRunDir, type RunDir } from './artifacts/run-dir.js';
export { writeFileAtomic, writeJsonAtomic } from './artifacts/atomic-write.js';
export { MetricsLog } from './artifacts/metrics-log.js';
export { imageGrid, gridByClass, gridFormatOf, writeGridImage, writeGridPng, type Grid, type GridFormat } from './artifacts/image-grid.js';
export { createProgress, type Progress } from './util/progress.js';

export * from './nn/layers/index.js';
export { ARCHITECTURE_NAMES, buildGenerator, buildDiscriminator, type ArchitectureName, type GeneratorOptions, type DiscriminatorOptions } from './nn/architectures/index.js';
export * from './losses/index.js';
export { METHODS, getMethod, type MethodName, type MethodSpec, type LabelSource } from './methods/methods.js';
export { discriminatorStep, generatorStep, trainableVariables, type GanModels, type StepOptions } from './training/steps.js';
export { WeightAverage } from './training/ema.js';
export { trainGan, type GanLoopInputs, type GanLoopResult } from './training/loop.js';
export { DivergenceError } from './training/divergence.js';
export { exportGenerator, plainGeneratorArtifacts, type ExportOptions } from './training/export.js';
export { generateImages, classGrid } from './training/samples.js';
export { listCheckpoints, loadCheckpoint, readCheckpointState } from './training/checkpoint.js';
export { readModelDir, writeModelDir } from './artifacts/model-files.js';
export { LABELS_FILE, readLabelsFile, writeLabelsFile, type TrainingLabels } from './data/labels-file.js';
export { runGanStage, GAN_STAGE, GAN_EXPORT_DIR } from './stages/gan-stage.js';
export * from './eval/index.js';
export * from './metrics/index.js';
export * from './classify/index.js';
export { runPretrainStage } from './stages/pretrain-stage.js';
export { runPseudoLabelStage } from './stages/pseudo-label-stage.js';
export { runPipeline, type Pipeline, type PipelineStage } from './stages/pipeline.js';
