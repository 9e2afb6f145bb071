/** Stage 2 math: standardize frozen features, fit and cross-validate the linear classifier, k-means, reports. */
export * from './standardize.js';
export * from './logistic-regression.js';
export * from './cross-validation.js';
export * from './kmeans.js';
export * from './report.js';
