/**
 * The unsupervised baseline: rotation pretraining, then k-means clusters of the features as the
 * GAN's classes (no labels are used to make them).
 */
import { definePipeline } from '../src/stages/pipeline.js';
import { ganStage, pretrainStage, pseudoLabelStage } from '../src/stages/pipeline-stages.js';

export default definePipeline({
  name: 'cgan-kmeans',
  summary: 'pretrain → k-means clusters → conditional GAN on the clusters',
  methods: ['cgan-kmeans'],
  stages: [pretrainStage, pseudoLabelStage, ganStage],
  overrides: ['pseudoLabel.source=kmeans'],
});
