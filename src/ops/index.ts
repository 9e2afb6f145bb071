/**
 * Ops of s3gan's own kernels (registered with tfjs when this module is imported): each runs as one
 * kernel call on the cpu backend and natively on onednn, and has a gradient that is itself
 * differentiable.
 */
export * from './avg-pool-grad.js';
export * from './batch-norm-training.js';
export * from './batch-norm-backward.js';
export * from './leaky-relu.js';
export * from './tanh-grad.js';
