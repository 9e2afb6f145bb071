/**
 * The objective's persistent term state in a checkpoint: objective-state.json (tfjs weight specs,
 * named <network>/<term>/<name>) and objective-state.bin. Written only when a term declares state,
 * so checkpoints of stateless objectives keep their files.
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { UserError, errorMessage } from '../../../util/errors.js';
import type { Objective } from './objective.js';

const SPECS_FILE = 'objective-state.json';
const DATA_FILE = 'objective-state.bin';

/** Writes the state of `objective` into checkpoint directory `dir` (nothing when it has none). */
export async function writeObjectiveState(dir: string, objective: Objective): Promise<void> {
  const tensors = objective.stateTensors();
  if (Object.keys(tensors).length === 0) return;
  const { data, specs } = await tf.io.encodeWeights(tensors);
  await writeFile(path.join(dir, SPECS_FILE), JSON.stringify(specs));
  await writeFile(path.join(dir, DATA_FILE), new Uint8Array(data));
}

/** Restores the state of `objective` from checkpoint directory `dir`; a missing or mismatched file is a UserError. */
export async function readObjectiveState(dir: string, objective: Objective): Promise<void> {
  if (Object.keys(objective.stateTensors()).length === 0) return;
  const specsFile = path.join(dir, SPECS_FILE);
  if (!existsSync(specsFile)) throw new UserError(`checkpoint ${dir} has no ${SPECS_FILE}, which this method's objective needs; use another run.dir`);
  let tensors: tf.NamedTensorMap | undefined;
  try {
    const specs = JSON.parse(await readFile(specsFile, 'utf8')) as tf.io.WeightsManifestEntry[];
    const bytes = await readFile(path.join(dir, DATA_FILE));
    tensors = tf.io.decodeWeights(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length), specs);
    objective.loadState(tensors);
  } catch (error) {
    throw new UserError(`cannot restore the objective state from ${dir}: ${errorMessage(error)}`);
  } finally {
    if (tensors !== undefined) tf.dispose(Object.values(tensors));
  }
}
