// Tests are compiled by `tsc` first (npm test does both); ava runs the emitted JavaScript.
export default {
  files: ['dist/tests/**/*.test.js'],
  timeout: '5m',
  // Two cores: more workers only contend for them (and each loads tfjs).
  concurrency: 2,
  workerThreads: false,
  environmentVariables: { S3GAN_QUIET_BACKEND: '1', S3GAN_REQUIRE_ONEDNN: process.env.S3GAN_REQUIRE_ONEDNN ?? '0' },
};
