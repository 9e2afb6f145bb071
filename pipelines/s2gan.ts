/** S2GAN: the S3GAN pipeline without the GAN's rotation losses (pseudo-labels + projection only). */
import { definePipeline } from '../src/stages/pipeline.js';
import { ganStage, pretrainStage, pseudoLabelStage } from '../src/stages/pipeline-stages.js';

export default definePipeline({
  name: 's2gan',
  summary: 'pretrain → pseudo-label → conditional GAN',
  methods: ['s2gan'],
  stages: [pretrainStage, pseudoLabelStage, ganStage],
});
