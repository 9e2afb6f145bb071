/**
 * What a discriminator returns, by name, for every architecture:
 *   logit          [B, 1]  the projection logit (the adversarial score)
 *   rotationLogits [B, 4]  the SS-GAN rotation head, when D has one
 *   classLogits    [B, K]  the co-training classifier head, when D has one
 *   features       [B, F]  the pooled last-layer h that every head reads
 *
 * The saved model keeps its positional outputs (logit, then the heads it has), so checkpoints and
 * exports are unchanged; `features` comes from a second model over the same layers whose extra
 * output is the projection head's input h. It holds no weights of its own and runs the same ops.
 */
import * as tf from '@tensorflow/tfjs';
import { invariant } from '../../util/errors.js';

/** D's outputs by name (the tensors of one forward pass). */
export interface DiscriminatorRecord {
  /** [B, 1] adversarial logit. */
  readonly logit: tf.Tensor2D;
  /** [B, 4] rotation logits over 0°, 90°, 180°, 270° (rotation head only). */
  readonly rotationLogits?: tf.Tensor2D;
  /** [B, K] class logits (co-training classifier head only). */
  readonly classLogits?: tf.Tensor2D;
  /** [B, F] pooled features h of the last layer, the input of every head. */
  readonly features: tf.Tensor2D;
}

/** The layer names of D's heads, one per named output; every architecture builds its heads with these. */
export const DISCRIMINATOR_HEAD_LAYERS = {
  logit: 'd_projection',
  rotationLogits: 'd_rotation',
  classLogits: 'd_classifier',
} as const;

type HeadName = keyof typeof DISCRIMINATOR_HEAD_LAYERS;

/** Outputs of the saved discriminator model, in order: logit, then rotation and class logits when present. */
export const DISCRIMINATOR_OUTPUTS = ['logit', 'rotationLogits', 'classLogits'] as const satisfies readonly HeadName[];

interface RecordView {
  /** D's layers with outputs [...D's outputs, h]. */
  readonly model: tf.LayersModel;
  /** The record key of each of D's own outputs, in order. */
  readonly heads: readonly HeadName[];
}

const views = new WeakMap<tf.LayersModel, RecordView>();

/** The symbolic h of `discriminator`: the projection head reads h, or [h, y] when conditional. */
function featuresOf(discriminator: tf.LayersModel): tf.SymbolicTensor {
  const projectionInput = discriminator.getLayer(DISCRIMINATOR_HEAD_LAYERS.logit).getInputAt(0);
  return Array.isArray(projectionInput) ? projectionInput[0] : projectionInput;
}

/** F, the width of D's pooled features h [B, F] (what a term that reads `features` sizes its state by). */
export function featureDimension(discriminator: tf.LayersModel): number {
  const shape = featuresOf(discriminator).shape;
  const width = shape[1];
  invariant(shape.length === 2 && typeof width === 'number' && width > 0, `discriminator features must be [B, F], got [${shape.join(', ')}]`);
  return width;
}

/** The view of `discriminator` that also outputs h, built once per model. */
function recordView(discriminator: tf.LayersModel): RecordView {
  const cached = views.get(discriminator);
  if (cached !== undefined) return cached;
  const byLayer = new Map<string, HeadName>(Object.entries(DISCRIMINATOR_HEAD_LAYERS).map(([key, layer]) => [layer, key as HeadName]));
  const heads = discriminator.outputLayers.map((layer) => {
    const head = byLayer.get(layer.name);
    invariant(head !== undefined, `discriminator output layer '${layer.name}' is not one of ${[...byLayer.keys()].join(', ')}`);
    return head;
  });
  invariant(heads[0] === 'logit', `a discriminator's first output is its logit (${DISCRIMINATOR_HEAD_LAYERS.logit})`);
  const h = featuresOf(discriminator);
  // A fixed name: an automatic one would advance tfjs's name counters and rename later layers.
  const model = tf.model({ inputs: discriminator.inputs, outputs: [...discriminator.outputs, h], name: `${discriminator.name}_record` });
  const view = { model, heads };
  views.set(discriminator, view);
  return view;
}

/** Names the outputs of the record view: D's outputs in order, then h. */
function recordOf(view: RecordView, outputs: tf.Tensor[]): DiscriminatorRecord {
  invariant(outputs.length === view.heads.length + 1, `expected ${view.heads.length + 1} discriminator outputs, got ${outputs.length}`);
  const record: { -readonly [K in keyof DiscriminatorRecord]?: tf.Tensor2D } = { features: outputs[view.heads.length] as tf.Tensor2D };
  view.heads.forEach((head, i) => (record[head] = outputs[i] as tf.Tensor2D));
  return record as DiscriminatorRecord;
}

/**
 * Runs `discriminator` on `inputs` (x, or [x, y [B, 1] int32] when conditional) and names its outputs.
 * `training` as for LayersModel.apply: spectral-norm vectors advance and batch norm uses batch
 * statistics in training mode.
 */
export function applyDiscriminator(discriminator: tf.LayersModel, inputs: tf.Tensor | tf.Tensor[], options: { training: boolean }): DiscriminatorRecord {
  const view = recordView(discriminator);
  const outputs = view.model.apply(inputs, { training: options.training }) as tf.Tensor[];
  return recordOf(view, outputs);
}
