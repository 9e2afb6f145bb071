/**
 * The generator as a plain TensorFlow.js model: model.json + weights.bin that
 * `tf.loadLayersModel` of @tensorflow/tfjs loads with no s3gan code registered (in a browser, say).
 *
 * s3gan's conditional batch norm is a custom layer, so the export rewrites each ConditionalBatchNorm
 * node of the saved topology into built-in layers computing the same inference-mode function:
 *   x̂ = BatchNormalization(center = scale = false)(x)          (the layer's moving statistics)
 *   out = x̂ · Reshape(Embedding_γ(y)) + Reshape(Embedding_β(y))   with Embedding_γ = 1 + embed_γ
 * The rewritten node keeps the original name, so every consumer's reference stays valid.
 * Beside the model, the export directory gets a browser page that draws its samples (export-page.ts).
 * A growing ProGAN generator is the exception: its blocks live in one s3gan layer, saved as it is.
 */
import * as tf from '@tensorflow/tfjs';
import { writeDirAtomic } from '../../artifacts/atomic-dir.js';
import { modelArtifacts, writeModelArtifacts } from '../../artifacts/model-files.js';
import { LAYER_CLASSES } from '../../nn/layers/index.js';
import { isGrowing } from '../../nn/architectures/progan.js';
import { generatorInfo, writeGeneratorPage } from './export-page.js';

type Json = Record<string, unknown>;
interface LayerJson {
  name: string;
  class_name: string;
  config: Json;
  inbound_nodes: unknown[][][];
}

/** s3gan's own layer classes: registered in this process, unknown to a plain tfjs. */
const CUSTOM = new Set(LAYER_CLASSES.map((layerClass) => layerClass.className));

/** Built-in layers (in tfjs-layers' registry and not s3gan's) need no rewriting. */
function isBuiltIn(className: string): boolean {
  return !CUSTOM.has(className) && tf.serialization.SerializationMap.getMap().classNameMap[className] !== undefined;
}

/** The built-in layers replacing ConditionalBatchNorm `layer` (whose input x has rank `rank`). */
function rewriteConditionalBatchNorm(layer: LayerJson, channels: number, rank: number): LayerJson[] {
  const name = layer.name;
  const [[xRef, yRef]] = layer.inbound_nodes as unknown[][][];
  const numClasses = layer.config.num_classes as number;
  const node = (ref: string) => [ref, 0, 0, {}];
  const shape = rank === 4 ? [1, 1, channels] : [channels];
  const embedding = (suffix: string): LayerJson[] => [
    { name: `${name}_${suffix}`, class_name: 'Embedding', config: { name: `${name}_${suffix}`, input_dim: numClasses, output_dim: channels, trainable: false }, inbound_nodes: [[yRef as unknown[]]] },
    { name: `${name}_${suffix}_shape`, class_name: 'Reshape', config: { name: `${name}_${suffix}_shape`, target_shape: shape, trainable: false }, inbound_nodes: [[node(`${name}_${suffix}`)]] },
  ];
  return [
    {
      name: `${name}_normalize`,
      class_name: 'BatchNormalization',
      config: { name: `${name}_normalize`, axis: -1, momentum: layer.config.momentum, epsilon: layer.config.epsilon, center: false, scale: false, trainable: false },
      inbound_nodes: [[xRef as unknown[]]],
    },
    ...embedding('gamma'),
    ...embedding('beta'),
    { name: `${name}_scale`, class_name: 'Multiply', config: { name: `${name}_scale`, trainable: false }, inbound_nodes: [[node(`${name}_normalize`), node(`${name}_gamma_shape`)]] },
    { name, class_name: 'Add', config: { name, trainable: false }, inbound_nodes: [[node(`${name}_scale`), node(`${name}_beta_shape`)]] },
  ];
}

/** Weight renames (and γ's +1) for the rewritten layers. */
function rewriteWeights(weights: tf.NamedTensorMap, rewritten: ReadonlySet<string>): tf.NamedTensorMap {
  const out: tf.NamedTensorMap = {};
  for (const [name, tensor] of Object.entries(weights)) {
    const slash = name.lastIndexOf('/');
    const layer = name.slice(0, slash);
    const weight = name.slice(slash + 1);
    if (!rewritten.has(layer)) {
      out[name] = tensor;
      continue;
    }
    if (weight === 'embed_gamma') out[`${layer}_gamma/embeddings`] = tf.add(tensor, 1);
    else if (weight === 'embed_beta') out[`${layer}_beta/embeddings`] = tensor;
    else if (weight === 'moving_mean' || weight === 'moving_variance') out[`${layer}_normalize/${weight}`] = tensor;
    else throw new Error(`export: unexpected weight ${name} of conditional batch norm ${layer}`);
  }
  return out;
}

/** The artifacts of `generator` with only built-in layers (see the file comment). */
export async function plainGeneratorArtifacts(generator: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  const artifacts = await modelArtifacts(generator);
  const topology = structuredClone(artifacts.modelTopology) as Json & { config: { layers: LayerJson[] } };
  const rewritten = new Set<string>();
  const layers: LayerJson[] = [];
  for (const layer of topology.config.layers) {
    if (layer.class_name === 'ConditionalBatchNorm') {
      const live = generator.getLayer(layer.name);
      const xShape = (live.input as tf.SymbolicTensor[])[0].shape;
      layers.push(...rewriteConditionalBatchNorm(layer, xShape[xShape.length - 1] as number, xShape.length));
      rewritten.add(layer.name);
    } else if (isBuiltIn(layer.class_name)) {
      layers.push(layer);
    } else {
      throw new Error(`export: layer ${layer.name} (${layer.class_name}) has no built-in equivalent in a plain tfjs model`);
    }
  }
  topology.config.layers = layers;
  const decoded = tf.io.decodeWeights(artifacts.weightData!, artifacts.weightSpecs!);
  const renamed = rewriteWeights(decoded, rewritten);
  try {
    const encoded = await tf.io.encodeWeights(renamed);
    return { modelTopology: topology, weightSpecs: encoded.specs, weightData: encoded.data };
  } finally {
    tf.dispose([...Object.values(decoded), ...Object.values(renamed)]);
  }
}

/**
 * Classes of the conditional batch norms of `generator`, or of its class embedding when it has no
 * batch norm (ProGAN's conditional G); 0 when it has neither: unconditional.
 */
function conditionalClasses(generator: tf.LayersModel): number {
  const norm = generator.layers.find((layer) => layer.getClassName() === 'ConditionalBatchNorm');
  if (norm !== undefined) return norm.getConfig().numClasses as number;
  const embedding = isGrowing(generator) ? generator.layers.find((layer) => layer.name === 'g_class_embedding') : undefined;
  return embedding === undefined ? 0 : (embedding.getConfig().inputDim as number);
}

export interface ExportOptions {
  /** Name of each class (index = label), shown by the page; by default the indices. */
  readonly classNames?: readonly string[];
}

/**
 * Writes the plain-tfjs generator into directory `dir` (replaced atomically): model.json and
 * weights.bin, with the browser page and its generator.json beside them.
 */
export async function exportGenerator(generator: tf.LayersModel, dir: string, options: ExportOptions = {}): Promise<void> {
  const info = generatorInfo(generator, conditionalClasses(generator), options.classNames);
  // A growing (ProGAN) generator has no built-in equivalent: it is saved as it is, loadable where s3gan's layers are registered.
  const artifacts = isGrowing(generator) ? await modelArtifacts(generator) : await plainGeneratorArtifacts(generator);
  await writeDirAtomic(dir, async (temp) => {
    await writeModelArtifacts(temp, artifacts);
    await writeGeneratorPage(temp, info);
  });
}
