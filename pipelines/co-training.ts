/**
 * S3GAN-CO and S2GAN-CO: no label-inference stages; the discriminator's own classifier head learns
 * from the labelled subset during GAN training and labels the rest on the fly.
 */
import { definePipeline } from '../src/stages/pipeline.js';
import { ganStage } from '../src/stages/pipeline-stages.js';

export default definePipeline({
  name: 'co-training',
  summary: 'conditional GAN whose discriminator co-trains a classifier on the labelled subset',
  methods: ['s3gan-co', 's2gan-co'],
  stages: [ganStage],
});
