/**
 * The generator/discriminator families by name (the config's `gan.architecture`), Compare GAN's
 * architecture menu: SNDCGAN, the CIFAR ResNet of SN-GAN and the DCGAN baseline, plus ProGAN's growing
 * networks (progan.ts). All take the same
 * options and build models with the same inputs and outputs, so the training step is
 * architecture-agnostic:
 *   generator     [z [B, zDim], y [B, 1] int32?] → images [B, s, s, c] in [−1, 1]
 *   discriminator [x [B, s, s, c], y [B, 1] int32?] → [logit [B, 1], rotationLogits [B, 4]?, classLogits [B, K]?]
 * and applyDiscriminator names those outputs and adds the pooled features h (discriminator-record.ts).
 */
import type * as tf from '@tensorflow/tfjs';
import { UserError } from '../../util/errors.js';
import { didYouMean } from '../../util/suggest.js';
import { dcganDiscriminator, dcganGenerator } from './dcgan.js';
import { proganDiscriminator, proganGenerator } from './progan.js';
import { resnetDiscriminator, resnetGenerator } from './resnet.js';
import { sndcganDiscriminator, sndcganGenerator, type DiscriminatorOptions, type GeneratorOptions } from './sndcgan.js';

export { sndcganDiscriminator, sndcganGenerator, type DiscriminatorOptions, type GeneratorOptions } from './sndcgan.js';
export { applyDiscriminator, DISCRIMINATOR_HEAD_LAYERS, DISCRIMINATOR_OUTPUTS, type DiscriminatorRecord } from './discriminator-record.js';
export { resnetDiscriminator, resnetGenerator } from './resnet.js';
export { dcganDiscriminator, dcganGenerator } from './dcgan.js';
export { getGrowth, isGrowing, proganDiscriminator, proganGenerator, setGrowth, type Growth } from './progan.js';

/** The fixed-size families, as `gan.architecture` spells them: any method, heads and image size 8·2^k. */
export const ARCHITECTURE_NAMES = ['sndcgan', 'resnet', 'dcgan'] as const;
/** The growing family (progan.ts): methods without rotation or classifier heads, image sizes 2^k ≥ 4, a growth schedule. */
export const GROWING_ARCHITECTURE_NAMES = ['progan'] as const;
export type ArchitectureName = (typeof ARCHITECTURE_NAMES)[number];
/** Every `gan.architecture`: the fixed-size families and the growing one. */
export type AnyArchitectureName = ArchitectureName | (typeof GROWING_ARCHITECTURE_NAMES)[number];
const ALL_NAMES: readonly AnyArchitectureName[] = [...ARCHITECTURE_NAMES, ...GROWING_ARCHITECTURE_NAMES];

interface Architecture {
  readonly generator: (options: GeneratorOptions) => tf.LayersModel;
  readonly discriminator: (options: DiscriminatorOptions) => tf.LayersModel;
}

const ARCHITECTURES: Readonly<Record<AnyArchitectureName, Architecture>> = {
  sndcgan: { generator: sndcganGenerator, discriminator: sndcganDiscriminator },
  resnet: { generator: resnetGenerator, discriminator: resnetDiscriminator },
  dcgan: { generator: dcganGenerator, discriminator: dcganDiscriminator },
  progan: { generator: proganGenerator, discriminator: proganDiscriminator },
};

/** The builders of `architecture`; an unknown name is a UserError listing the known ones. */
function lookup(architecture: string): Architecture {
  if (!Object.hasOwn(ARCHITECTURES, architecture)) {
    throw new UserError(
      `unknown architecture '${architecture}'${didYouMean(architecture, ALL_NAMES)}; known: ${ALL_NAMES.join(', ')}`,
    );
  }
  return ARCHITECTURES[architecture as AnyArchitectureName];
}

/** Builds the generator of `architecture` (see the file comment for its inputs and output). */
export function buildGenerator(architecture: AnyArchitectureName, options: GeneratorOptions): tf.LayersModel {
  return lookup(architecture).generator(options);
}

/** Builds the discriminator of `architecture` (see the file comment for its inputs and outputs). */
export function buildDiscriminator(architecture: AnyArchitectureName, options: DiscriminatorOptions): tf.LayersModel {
  return lookup(architecture).discriminator(options);
}
