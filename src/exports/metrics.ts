/** `s3gan/metrics`: FID, KID, IS, precision/recall, density/coverage and intra-FID on feature matrices. */
export * from '../metrics/index.js';
