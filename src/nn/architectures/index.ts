/**
 * The generator/discriminator families by name (the config's `gan.architecture`), Compare GAN's
 * architecture menu: SNDCGAN, the CIFAR ResNet of SN-GAN and the DCGAN baseline. All take the same
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
import { resnetDiscriminator, resnetGenerator } from './resnet.js';
import { sndcganDiscriminator, sndcganGenerator, type DiscriminatorOptions, type GeneratorOptions } from './sndcgan.js';

export { sndcganDiscriminator, sndcganGenerator, type DiscriminatorOptions, type GeneratorOptions } from './sndcgan.js';
export { applyDiscriminator, DISCRIMINATOR_HEAD_LAYERS, DISCRIMINATOR_OUTPUTS, type DiscriminatorRecord } from './discriminator-record.js';
export { resnetDiscriminator, resnetGenerator } from './resnet.js';
export { dcganDiscriminator, dcganGenerator } from './dcgan.js';

/** Registry names, as `gan.architecture` spells them. */
export const ARCHITECTURE_NAMES = ['sndcgan', 'resnet', 'dcgan'] as const;
export type ArchitectureName = (typeof ARCHITECTURE_NAMES)[number];

interface Architecture {
  readonly generator: (options: GeneratorOptions) => tf.LayersModel;
  readonly discriminator: (options: DiscriminatorOptions) => tf.LayersModel;
}

const ARCHITECTURES: Readonly<Record<ArchitectureName, Architecture>> = {
  sndcgan: { generator: sndcganGenerator, discriminator: sndcganDiscriminator },
  resnet: { generator: resnetGenerator, discriminator: resnetDiscriminator },
  dcgan: { generator: dcganGenerator, discriminator: dcganDiscriminator },
};

/** The builders of `architecture`; an unknown name is a UserError listing the known ones. */
function lookup(architecture: string): Architecture {
  if (!Object.hasOwn(ARCHITECTURES, architecture)) {
    throw new UserError(
      `unknown architecture '${architecture}'${didYouMean(architecture, ARCHITECTURE_NAMES)}; known: ${ARCHITECTURE_NAMES.join(', ')}`,
    );
  }
  return ARCHITECTURES[architecture as ArchitectureName];
}

/** Builds the generator of `architecture` (see the file comment for its inputs and output). */
export function buildGenerator(architecture: ArchitectureName, options: GeneratorOptions): tf.LayersModel {
  return lookup(architecture).generator(options);
}

/** Builds the discriminator of `architecture` (see the file comment for its inputs and outputs). */
export function buildDiscriminator(architecture: ArchitectureName, options: DiscriminatorOptions): tf.LayersModel {
  return lookup(architecture).discriminator(options);
}
