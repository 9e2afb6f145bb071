/**
 * Exponential moving average of the generator's weights (Yazıcı et al. 2019; used by BigGAN and
 * Compare GAN for samples and evaluation): after `startStep`, every update sets
 *   average ← decay · average + (1 − decay) · weight.
 * Before `startStep` the average simply tracks the weights, so an early average does not keep the
 * random initialisation.
 * On cpu and onednn each average is one fused kernel call (src/backend/fused-updates.ts), with the
 * same float32 result as the composed ops used on other backends.
 */
import * as tf from '@tensorflow/tfjs';
import { EMA_UPDATE, hasFusedKernel, registerFusedCpuKernels } from '../../backend/fused-updates.js';

export interface EmaOptions {
  /** Weight kept by the average per update, in [0, 1). */
  readonly decay: number;
  /** Generator step from which the average starts decaying; before it, it copies the weights. */
  readonly startStep: number;
}

export class WeightAverage {
  /** One average per source variable, same shapes; not trainable. */
  readonly averages: readonly tf.Variable[];

  constructor(
    private readonly sources: readonly tf.Variable[],
    private readonly options: EmaOptions,
  ) {
    if (!(options.decay >= 0 && options.decay < 1)) throw new Error(`EMA decay must be in [0, 1), got ${options.decay}`);
    registerFusedCpuKernels();
    // tf.variable shares the initial value's data; the temporary handle goes, the data stays.
    this.averages = sources.map((v) => tf.tidy(() => tf.variable(v.clone(), false, `${v.name}/ema`)));
  }

  /** Updates every average after generator step `step` (the count of updates done so far). */
  update(step: number): void {
    const decay = step < this.options.startStep ? 0 : this.options.decay;
    const fused = decay !== 0 && hasFusedKernel(EMA_UPDATE);
    tf.tidy(() => {
      this.sources.forEach((source, i) => {
        const average = this.averages[i];
        if (decay === 0) average.assign(source);
        else if (fused) average.assign(tf.engine().runKernel(EMA_UPDATE, { average, source }, { decay }) as tf.Tensor);
        else average.assign(tf.add(tf.mul(average, decay), tf.mul(source, 1 - decay)));
      });
    });
  }

  /** Sets the averages to `values` (same order and shapes), e.g. when resuming from a checkpoint. */
  load(values: readonly tf.Tensor[]): void {
    if (values.length !== this.averages.length) throw new Error(`EMA has ${this.averages.length} variables, got ${values.length} values`);
    tf.tidy(() => this.averages.forEach((average, i) => average.assign(values[i])));
  }

  /** Copies the averages into `targets` (e.g. a second generator used for sampling). */
  copyTo(targets: readonly tf.Variable[]): void {
    if (targets.length !== this.averages.length) throw new Error(`EMA has ${this.averages.length} variables, target has ${targets.length}`);
    tf.tidy(() => targets.forEach((target, i) => target.assign(this.averages[i])));
  }

  dispose(): void {
    tf.dispose(this.averages as tf.Variable[]);
  }
}
