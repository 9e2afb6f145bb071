/**
 * Evaluation metrics as pure functions on float64 feature matrices (docs/ALGORITHMS.md § Metrics):
 * FID, KID, Inception Score, precision/recall, density/coverage and intra-class FID. Extracting
 * the features and caching reference statistics on disk belong to the callers.
 */
export * from './feature-matrix.js';
export * from './stats.js';
export * from './fid.js';
export * from './kid.js';
export * from './inception-score.js';
export * from './precision-recall.js';
export * from './intra-fid.js';
