/** `s3gan/eval`: the evaluator (domain classifier, extractors, real references, CAS) and the classifiers behind it. */
export * from '../eval/index.js';
export * from '../classify/index.js';
