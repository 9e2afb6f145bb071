/**
 * The GAN-only baselines: unconditional (gan, ssgan), true labels for all images (cgan-full and
 * s3gan-full, the upper bounds without and with the rotation losses), for the labelled subset only
 * (cgan-few), or random labels (cgan-random).
 */
import { definePipeline } from '../src/stages/pipeline.js';
import { ganStage } from '../src/stages/pipeline-stages.js';

export default definePipeline({
  name: 'baselines',
  summary: 'GAN training alone, labels from the dataset, the labelled subset, or none',
  methods: ['gan', 'ssgan', 'cgan-full', 's3gan-full', 'cgan-few', 'cgan-random'],
  stages: [ganStage],
});
