/**
 * A feature extractor from any TensorFlow.js model on disk (eval.extractorPath): a layers model
 * (model.json with "format": "layers-model", as model.save('file://…') or tensorflowjs_converter
 * --output_format=tfjs_layers_model write it) or a graph model ("format": "graph-model", e.g. a
 * converted InceptionV3 SavedModel). The features are the output of one layer (layers model) or
 * node (graph model), eval.extractorLayer. Nothing is downloaded: the files are read from disk and
 * handed to tf.loadLayersModel / tf.loadGraphModel through tf.io.fromMemory, which does what a
 * file:// handler does without needing tfjs-node.
 */
import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { fsErrorReason } from '../artifacts/atomic-write.js';
import { configHash } from '../config/hash.js';
import { UserError, errorMessage } from '../util/errors.js';
import { adaptInput, toFeatureRows, type FeatureExtractor, type InputRange } from './extractor.js';

export interface ModelExtractorOptions {
  /** A model.json file, or a directory holding one. */
  readonly path: string;
  /** Layer (layers model) or node (graph model) whose output are the features. */
  readonly layer: string | undefined;
  /** Input side in pixels (default: the model's input shape). */
  readonly inputSize?: number;
  /** Pixel range the model expects. */
  readonly inputRange: InputRange;
}

interface ModelJson {
  format?: string;
  modelTopology?: unknown;
  weightsManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  [key: string]: unknown;
}

/** The model.json a path names, and its parsed content. */
async function readModelJson(modelPath: string): Promise<{ file: string; json: ModelJson }> {
  const resolved = path.resolve(modelPath);
  const info = await stat(resolved).catch((error: unknown) => {
    throw new UserError(`eval.extractorPath ${resolved}: ${fsErrorReason(error) ?? errorMessage(error)}`);
  });
  const file = info.isDirectory() ? path.join(resolved, 'model.json') : resolved;
  try {
    return { file, json: JSON.parse(await readFile(file, 'utf8')) as ModelJson };
  } catch (error) {
    throw new UserError(`eval.extractorPath: cannot read model ${file}: ${errorMessage(error)}`);
  }
}

/** Model artifacts of a model.json (both formats), with its weights read from the files it lists. */
async function readArtifacts(file: string, json: ModelJson): Promise<{ artifacts: tf.io.ModelArtifacts; weightsHash: string }> {
  const manifest = json.weightsManifest ?? [];
  const buffers: Buffer[] = [];
  for (const group of manifest) {
    for (const name of group.paths) {
      const weightsPath = path.join(path.dirname(file), name);
      try {
        buffers.push(await readFile(weightsPath));
      } catch (error) {
        throw new UserError(`eval.extractorPath: cannot read weights ${weightsPath}: ${errorMessage(error)}`);
      }
    }
  }
  const all = Buffer.concat(buffers);
  const { weightsManifest: _manifest, ...rest } = json;
  const artifacts = {
    ...(rest as Partial<tf.io.ModelArtifacts>),
    modelTopology: json.modelTopology as tf.io.ModelArtifacts['modelTopology'],
    weightSpecs: manifest.flatMap((group) => group.weights),
    weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.length),
  } as tf.io.ModelArtifacts;
  return { artifacts, weightsHash: createHash('sha256').update(all).digest('hex').slice(0, 24) };
}

function isGraphModel(json: ModelJson): boolean {
  if (json.format !== undefined) return json.format === 'graph-model';
  const topology = json.modelTopology as { node?: unknown } | undefined;
  return Array.isArray(topology?.node);
}

/** [size, channels] of a model input shape [batch, h, w, c] (−1 or null for unknown dimensions). */
function inputGeometry(shape: readonly (number | null)[] | undefined, configured: number | undefined, file: string): { size: number; channels: number } {
  const known = (v: number | null | undefined): v is number => typeof v === 'number' && v > 0;
  if (shape === undefined || shape.length !== 4) throw new UserError(`eval.extractorPath ${file}: the model's input must be images [batch, h, w, c], got shape [${shape?.join(', ') ?? '?'}]`);
  const [, height, width, channels] = shape;
  const size = configured ?? (known(height) && height === width ? height : undefined);
  if (size === undefined) throw new UserError(`eval.extractorPath ${file}: the model's input side is not fixed (shape [${shape.join(', ')}]): set eval.extractorInputSize`);
  if (known(height) && height !== size) throw new UserError(`eval.extractorInputSize ${size} does not fit the model's input shape [${shape.join(', ')}] (${file})`);
  return { size, channels: known(channels) ? channels : 3 };
}

/** Loads the model at options.path as a feature extractor reading options.layer. */
export async function loadModelExtractor(options: ModelExtractorOptions): Promise<FeatureExtractor> {
  const { file, json } = await readModelJson(options.path);
  const { artifacts, weightsHash } = await readArtifacts(file, json);
  const graph = isGraphModel(json);
  const layer = options.layer;
  if (layer === undefined) {
    const hint = graph ? 'a node name of the graph' : 'one of its layer names';
    throw new UserError(`eval.extractorLayer is required with eval.extractorPath (${file}): ${hint}, e.g. the pooled features before the classifier`);
  }

  // 1. The model, and a function from its input to the chosen layer's output.
  let run: (input: tf.Tensor4D) => tf.Tensor;
  let owned: { dispose(): void };
  let shape: readonly (number | null)[] | undefined;
  if (graph) {
    const model = await tf.loadGraphModel(tf.io.fromMemory(artifacts)).catch((error: unknown) => {
      throw new UserError(`eval.extractorPath: cannot load graph model ${file}: ${errorMessage(error)}`);
    });
    shape = model.inputs[0]?.shape;
    run = (input) => model.execute(input, layer) as tf.Tensor;
    owned = model;
  } else {
    const model = await tf.loadLayersModel(tf.io.fromMemory(artifacts)).catch((error: unknown) => {
      throw new UserError(`eval.extractorPath: cannot load layers model ${file}: ${errorMessage(error)}`);
    });
    let output: tf.SymbolicTensor;
    try {
      output = model.getLayer(layer).output as tf.SymbolicTensor;
    } catch {
      const names = model.layers.map((l) => l.name);
      model.dispose();
      throw new UserError(`eval.extractorLayer '${layer}': no such layer in ${file}; its layers: ${names.join(', ')}`);
    }
    const sub = tf.model({ inputs: model.inputs, outputs: output });
    shape = model.inputs[0].shape;
    run = (input) => sub.predict(input, { batchSize: input.shape[0] }) as tf.Tensor;
    owned = model;
  }
  const target = { ...inputGeometry(shape, options.inputSize, file), range: options.inputRange };

  // 2. The feature dimension, from one blank image (and a check that the node exists).
  let featureDim: number;
  try {
    featureDim = tf.tidy(() => toFeatureRows(run(tf.zeros([1, target.size, target.size, target.channels]))).shape[1]);
  } catch (error) {
    owned.dispose();
    throw new UserError(`eval.extractorLayer '${layer}': cannot read it from ${file}: ${errorMessage(error)}`);
  }
  const id = configHash({ file, layer, inputSize: target.size, inputRange: target.range, topology: configHash(json.modelTopology ?? null), weightsHash });
  return {
    description: {
      kind: graph ? 'graph-model' : 'layers-model',
      name: `${path.basename(file)}#${layer}`,
      id,
      featureDim,
      path: file,
      layer,
      inputSize: target.size,
      inputRange: target.range,
    },
    numClasses: 0,
    apply(images) {
      return { features: tf.tidy(() => toFeatureRows(run(adaptInput(images, target)))) };
    },
    dispose() {
      owned.dispose();
    },
  };
}
