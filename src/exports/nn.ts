/** `s3gan/nn`: layers, the generator and discriminator architectures, the losses and fused ops. */
export * from '../nn/layers/index.js';
export { ARCHITECTURE_NAMES, buildGenerator, buildDiscriminator, type ArchitectureName, type GeneratorOptions, type DiscriminatorOptions, applyDiscriminator, type DiscriminatorRecord } from '../nn/architectures/index.js';
export * from '../losses/index.js';
export * from '../ops/index.js';
