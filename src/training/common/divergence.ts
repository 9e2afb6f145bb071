/**
 * The divergence guard: a NaN or infinite loss ends the run at once, before anything of that step
 * reaches a checkpoint, so the newest checkpoint on disk is the last good state.
 */
import { UserError } from '../../util/errors.js';

/** Training diverged; the message names the step, the loss and the checkpoint to resume from. */
export class DivergenceError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'DivergenceError';
  }
}

/**
 * The totals L_D and L_G: every term (adversarial, rotation, classifier) is summed into one of them,
 * so a non-finite term makes its total non-finite; and the loss of MvM's metric network, trained in
 * its own phase. Parts a method lacks are NaN by design and are not checked on their own.
 */
const TOTALS = ['dLoss', 'gLoss', 'metricLoss'] as const;

/** Throws a DivergenceError if the step's total loss is NaN or infinite. */
export function checkFinite(result: Readonly<Partial<Record<(typeof TOTALS)[number], number>>>, step: number, lastCheckpoint: string | undefined): void {
  for (const name of TOTALS) {
    const value = result[name];
    if (value === undefined || Number.isFinite(value)) continue;
    throw new DivergenceError(`training diverged at generator step ${step}: ${name} = ${value}; ${resumeAdvice(lastCheckpoint, 'gan.dLearningRate / gan.gLearningRate or change gan.loss')}`);
  }
}

/**
 * What to do after a divergence: with a checkpoint, lower `remedy` and resume from it; without
 * one there is nothing to resume, and the rerun starts over.
 */
export function resumeAdvice(lastCheckpoint: string | undefined, remedy: string): string {
  if (lastCheckpoint === undefined) return `no checkpoint was written yet, so there is nothing to resume: lower ${remedy}, then rerun to start over.`;
  return `the last good checkpoint is ${lastCheckpoint}. Lower ${remedy}, then rerun to resume from that checkpoint.`;
}
