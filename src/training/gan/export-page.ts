/**
 * The browser page of an exported generator: index.html, page.js and page.css (from src/web/generator-page
 * of the package) with TensorFlow.js's own browser bundle tf.min.js beside them, and generator.json,
 * what the page cannot read from model.json (the class names). Served by any static server, the
 * export directory shows samples per class, new noise and interpolations, with no network access.
 */
import * as tf from '@tensorflow/tfjs';
import { copyFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatorShape } from '../../eval/generate.js';

/** The page's metadata file beside model.json. */
export const GENERATOR_INFO_FILE = 'generator.json';
/** Files copied from the package's src/web/generator-page. */
const PAGE_FILES = ['index.html', 'page.js', 'page.css'];
/** dist/src/training → the package root, in a checkout and in an installed package alike. */
const PAGE_DIR = fileURLToPath(new URL('../../../../src/web/generator-page/', import.meta.url));
/** The browser bundle of the same @tensorflow/tfjs that wrote model.json. */
const TFJS_BUNDLE = createRequire(import.meta.url).resolve('@tensorflow/tfjs/dist/tf.min.js');

/** generator.json: what an exported generator is, for the page and for people. */
export interface GeneratorInfo {
  readonly format: 's3gan-generator';
  /** Dimension of z [batch, zDim]; z ~ N(0, I) as in training. */
  readonly zDim: number;
  /** Whether the model takes a second input y [batch, 1] int32 (the class). */
  readonly conditional: boolean;
  /** Classes y may take (0 when unconditional). */
  readonly numClasses: number;
  /** Name of each class (index = y); empty when unconditional. */
  readonly classNames: readonly string[];
  /** Output images [batch, imageSize, imageSize, channels] in [−1, 1] (NHWC). */
  readonly imageSize: number;
  readonly channels: number;
}

/**
 * The info of `generator`, whose conditional batch norms (if any) have `numClasses` classes.
 * Classes without given names are named by their index.
 */
export function generatorInfo(generator: tf.LayersModel, numClasses: number, classNames?: readonly string[]): GeneratorInfo {
  const shape = generatorShape(generator);
  const classes = shape.conditional ? numClasses : 0;
  if (classNames !== undefined && shape.conditional && classNames.length !== classes) {
    throw new Error(`export: ${classNames.length} class names given for a generator of ${classes} classes`);
  }
  const names = shape.conditional ? (classNames ?? Array.from({ length: classes }, (_, i) => String(i))) : [];
  return { format: 's3gan-generator', zDim: shape.zDim, conditional: shape.conditional, numClasses: classes, classNames: [...names], imageSize: shape.imageSize, channels: shape.channels };
}

/** Writes the page and generator.json into `dir` (the fresh export directory, made atomic by its caller). */
export async function writeGeneratorPage(dir: string, info: GeneratorInfo): Promise<void> {
  await writeFile(path.join(dir, GENERATOR_INFO_FILE), `${JSON.stringify(info, null, 2)}\n`);
  await Promise.all(PAGE_FILES.map((file) => copyFile(path.join(PAGE_DIR, file), path.join(dir, file))));
  await copyFile(TFJS_BUNDLE, path.join(dir, 'tf.min.js'));
}
