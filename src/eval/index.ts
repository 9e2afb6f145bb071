/**
 * Evaluation of generators (docs/ALGORITHMS.md § Evaluation): feature extractors (the shipped
 * evaluation networks, the cached domain classifier, or a tfjs model on disk), cached real reference statistics, chunked generation and
 * the metrics of src/metrics wired together. evaluateGenerator is the entry point; the GAN loop's
 * cheap evaluation and the eval stage are built on it.
 */
export * from './images.js';
export * from './domain-classifier.js';
export * from './classifier-training.js';
export * from './domain-classifier-cache.js';
export * from './shipped-network.js';
export * from './extractor.js';
export * from './model-extractor.js';
export * from './readout.js';
export * from './generate.js';
export * from './reference.js';
export * from './cas.js';
export * from './metric-names.js';
export * from './applicability.js';
export * from './results.js';
export * from './evaluator.js';
export * from './evaluate.js';
export * from './cheap.js';
export * from './image-sets.js';
export * from './score-image-sets.js';
export { cacheEntryDir, evalCacheRoot } from './cache-paths.js';
