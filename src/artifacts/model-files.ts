/**
 * tfjs LayersModels and optimizer states as files, in TensorFlow.js's own layout: a directory with
 * model.json (topology + weights manifest) and weights.bin. That is what `tf.loadLayersModel`
 * reads over HTTP or from disk, so a saved model needs nothing of s3gan to be loaded, provided its
 * layers are built-in ones (see training/gan/export.ts for the generator export).
 */
import * as tf from '@tensorflow/tfjs';
import { readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { UserError, errorMessage } from '../util/errors.js';

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

/** The save artifacts of a model (topology, weight specs, one weights buffer). */
export async function modelArtifacts(model: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let captured: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      captured = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (captured === undefined) throw new Error(`saving ${model.name} produced no artifacts`);
  return captured;
}

function weightBytes(data: tf.io.WeightData | undefined): Uint8Array {
  if (data === undefined) return new Uint8Array(0);
  const buffers = Array.isArray(data) ? data : [data];
  return Buffer.concat(buffers.map((b) => new Uint8Array(b)));
}

/** Writes artifacts as model.json + weights.bin into `dir` (an existing, fresh directory). */
export async function writeModelArtifacts(dir: string, artifacts: tf.io.ModelArtifacts): Promise<void> {
  const json = {
    format: 'layers-model',
    generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
    convertedBy: null,
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: [`./${WEIGHTS_BIN}`], weights: artifacts.weightSpecs ?? [] }],
  };
  await writeFile(path.join(dir, MODEL_JSON), JSON.stringify(json));
  await writeFile(path.join(dir, WEIGHTS_BIN), weightBytes(artifacts.weightData));
}

/** Writes `model` into `dir` (an existing, fresh directory; make it atomic with writeDirAtomic). */
export async function writeModelDir(dir: string, model: tf.LayersModel): Promise<void> {
  await writeModelArtifacts(dir, await modelArtifacts(model));
}

/** Reads the artifacts of a model directory, failing with a UserError that names the file. */
export async function readModelArtifacts(dir: string): Promise<tf.io.ModelArtifacts> {
  const jsonPath = path.join(dir, MODEL_JSON);
  let json: { modelTopology?: unknown; weightsManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[] };
  try {
    json = JSON.parse(await readFile(jsonPath, 'utf8')) as typeof json;
  } catch (error) {
    throw new UserError(`cannot read model ${jsonPath}: ${errorMessage(error)}`);
  }
  const manifest = json.weightsManifest ?? [];
  const weightSpecs = manifest.flatMap((group) => group.weights);
  const buffers: Buffer[] = [];
  for (const group of manifest) {
    for (const file of group.paths) {
      const weightsPath = path.join(dir, file);
      try {
        buffers.push(await readFile(weightsPath));
      } catch (error) {
        throw new UserError(`cannot read model weights ${weightsPath}: ${errorMessage(error)}`);
      }
    }
  }
  const all = Buffer.concat(buffers);
  const expected = weightSpecs.reduce((n, spec) => n + spec.shape.reduce((a, b) => a * b, 1) * 4, 0);
  if (all.length !== expected) throw new UserError(`model weights in ${dir} hold ${all.length} bytes, the manifest needs ${expected} (truncated or mismatched file)`);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.length);
  return { modelTopology: json.modelTopology as tf.io.ModelArtifacts['modelTopology'], weightSpecs, weightData };
}

/** Loads a model directory written by writeModelDir (its custom layers must be registered). */
export async function readModelDir(dir: string): Promise<tf.LayersModel> {
  const artifacts = await readModelArtifacts(dir);
  try {
    return await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  } catch (error) {
    throw new UserError(`cannot load model ${path.join(dir, MODEL_JSON)}: ${errorMessage(error)}`);
  }
}
