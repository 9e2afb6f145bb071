/**
 * S3GAN (Lučić et al. 2019): rotation pretraining on all images, a linear classifier on the few
 * labels that pseudo-labels the rest, then the conditional GAN with auxiliary rotation losses.
 */
import { definePipeline } from '../src/stages/pipeline.js';
import { ganStage, pretrainStage, pseudoLabelStage } from '../src/stages/pipeline-stages.js';

export default definePipeline({
  name: 's3gan',
  summary: 'pretrain → pseudo-label → conditional GAN with rotation losses',
  methods: ['s3gan'],
  stages: [pretrainStage, pseudoLabelStage, ganStage],
});
