/**
 * Starting a GAN from a source checkpoint's weights (Grigoryev, Voynov & Babenko, ICLR 2022; see
 * docs/ALGORITHMS.md § Fine-tuning): G, G-EMA and D take the source's weights by name, the
 * optimizers start fresh. Weights that cannot transfer start from the configured networks' own
 * initialisation and are reported, one line per layer: class embeddings and heads sized by another
 * class count, and heads the source does not have. Any other mismatch is refused.
 *
 * FreezeD (Mo, Cho & Shin, "Freeze the Discriminator", 2020) keeps D's first K blocks, counted from
 * the image side, at the source's weights.
 */
import * as tf from '@tensorflow/tfjs';
import * as path from 'node:path';
import { readModelArtifacts } from '../../artifacts/model-files.js';
import { UserError } from '../../util/errors.js';
import type { GanTraining } from './setup.js';

/** Which networks take the source's weights (the paper's G-only / D-only initialisation ablation). */
export type FinetuneInit = 'both' | 'generator' | 'discriminator';

export interface FinetuneWeightsOptions {
  readonly init: FinetuneInit;
  /** Classes of the source's conditional networks (0 when unconditional). */
  readonly sourceClasses: number;
  /** Classes of the configured networks (0 when unconditional). */
  readonly targetClasses: number;
  /** The config key or flag that named the source, for messages. */
  readonly key?: string;
}

/** Whether shapes `a` (source) and `b` (target) differ only in one axis sized by the class counts. */
function differsByClasses(a: readonly number[], b: readonly number[], sourceClasses: number, targetClasses: number): boolean {
  if (a.length !== b.length) return false;
  const axes = a.map((size, i) => (size === b[i] ? -1 : i)).filter((i) => i >= 0);
  return axes.length === 1 && a[axes[0]] === sourceClasses && b[axes[0]] === targetClasses;
}

/** The layer a weight belongs to ('g_bn1/embed_gamma' → 'g_bn1'). */
function layerOf(name: string): string {
  const slash = name.lastIndexOf('/');
  return slash < 0 ? name : name.slice(0, slash);
}

/**
 * Writes the weights of model directory `dir` into `model` by name and returns one line per layer
 * whose weights started fresh or were left behind. Every other weight must match in shape.
 */
async function copyWeights(model: tf.LayersModel, dir: string, label: string, options: FinetuneWeightsOptions): Promise<string[]> {
  const artifacts = await readModelArtifacts(dir);
  const source = tf.io.decodeWeights(artifacts.weightData!, artifacts.weightSpecs!);
  // Per layer: the weights that start fresh and why (one reason per layer: its weights share it).
  const fresh = new Map<string, { names: string[]; why: string }>();
  const keepFresh = (name: string, why: string) => {
    const layer = layerOf(name);
    const entry = fresh.get(layer) ?? { names: [], why };
    entry.names.push(name.slice(layer.length + 1));
    fresh.set(layer, entry);
  };
  try {
    const used = new Set<string>();
    for (const weight of model.weights) {
      const name = weight.originalName;
      const shape = weight.shape as number[];
      const value = source[name];
      if (value !== undefined) used.add(name);
      if (value !== undefined && tf.util.arraysEqual(value.shape, shape)) {
        weight.write(value);
      } else if (value === undefined) {
        keepFresh(name, 'not in the source');
      } else if (differsByClasses(value.shape, shape, options.sourceClasses, options.targetClasses)) {
        keepFresh(name, `${options.sourceClasses} classes in the source, ${options.targetClasses} here`);
      } else {
        throw new UserError(
          `${options.key ?? 'finetune.from'}: ${dir} weight ${name} is [${value.shape.join(', ')}], the configured ${label} needs [${shape.join(', ')}]: gan.width, gan.zDim or gan.classEmbeddingDim differ from the source's`,
        );
      }
    }
    const dropped = [...new Set(Object.keys(source).filter((name) => !used.has(name)).map(layerOf))];
    return [
      ...[...fresh].map(([layer, { names, why }]) => `${label} ${layer} (${names.join(', ')}): ${why}, initialised fresh`),
      ...dropped.map((layer) => `${label} ${layer}: in the source only, left behind`),
    ];
  } finally {
    tf.dispose(Object.values(source));
  }
}

/**
 * Initialises `training`'s networks from the checkpoint directory `checkpoint` as `options.init`
 * says, before any step (the optimizers keep their fresh state). Returns the adaptation lines.
 */
export async function initialiseFromSource(training: GanTraining, checkpoint: string, options: FinetuneWeightsOptions): Promise<string[]> {
  const lines: string[] = [];
  if (options.init !== 'discriminator') {
    lines.push(...(await copyWeights(training.models.generator, path.join(checkpoint, 'generator'), 'generator', options)));
    lines.push(...(await copyWeights(training.emaGenerator, path.join(checkpoint, 'generator-ema'), 'generator-ema', options)));
    // The average continues from the source's G-EMA.
    training.ema.load(training.emaGenerator.trainableWeights.map((w) => w.read()));
  }
  const discriminator = training.models.discriminator;
  if (options.init !== 'generator' && discriminator !== undefined) {
    lines.push(...(await copyWeights(discriminator, path.join(checkpoint, 'discriminator'), 'discriminator', options)));
  }
  return lines;
}

/** D's blocks in order from the image side: layers named d_conv<i>, d_bn<i> or d_block<i>_…, grouped by i. */
export function discriminatorBlocks(discriminator: tf.LayersModel): string[][] {
  const blocks = new Map<number, string[]>();
  for (const layer of discriminator.layers) {
    const match = /^d_(?:conv|bn|block)(\d+)(?:_|$)/.exec(layer.name);
    if (match === null) continue;
    const index = Number(match[1]);
    blocks.set(index, [...(blocks.get(index) ?? []), layer.name]);
  }
  return [...blocks.entries()].sort(([a], [b]) => a - b).map(([, names]) => names);
}

/**
 * FreezeD: D's first `count` blocks stop training (their weights leave D's trainable list, so the
 * D step's explicit variable list no longer holds them). Returns the frozen layers' names.
 */
export function freezeDiscriminatorBlocks(discriminator: tf.LayersModel, count: number, key = 'finetune.freezeDBlocks'): string[] {
  if (count === 0) return [];
  const blocks = discriminatorBlocks(discriminator);
  if (count > blocks.length) throw new UserError(`${key}: ${count} blocks asked, the discriminator has ${blocks.length}`);
  const names = blocks.slice(0, count).flat();
  for (const name of names) discriminator.getLayer(name).trainable = false;
  return names;
}
