/** GAN losses: adversarial (Compare GAN's menu), rotation (SS-GAN/S3GAN) and co-training. */
export * from './adversarial.js';
export * from './rotation.js';
export * from './classification.js';
export * from './manifold/mvm.js';
export * from './manifold/mmgan.js';
export * from './manifold/manifold-memory.js';
export { pairwiseSquaredDistances } from './manifold/geometry.js';
export * from './mode-seeking.js';
export * from './penalties.js';
