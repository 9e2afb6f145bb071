/**
 * An objective: the terms a method minimises, in order, with the state they carry between steps
 * and the extra networks they train. Built from term names and the config (build.ts); the steps
 * ask it which images D must score, and sum its terms for each network.
 */
import * as tf from '@tensorflow/tfjs';
import { invariant } from '../../../util/errors.js';
import type { ForwardOutputs, ObjectiveTerm, PhaseNetwork, TrainedBy } from './term.js';

export class Objective {
  private readonly state = new Map<ObjectiveTerm, Record<string, tf.Variable>>();

  constructor(
    readonly terms: readonly ObjectiveTerm[],
    readonly networks: readonly PhaseNetwork[] = [],
  ) {
    invariant(terms.filter((term) => term.realLabels !== undefined).length <= 1, 'at most one objective term may choose the real labels');
    invariant(terms.filter((term) => term.uniform !== undefined).length <= 1, 'at most one objective term may ask for uniform draws');
    for (const term of terms) {
      if (term.state === undefined || term.state.length === 0) continue;
      const variables: Record<string, tf.Variable> = {};
      for (const spec of term.state) {
        // The variable shares the initial tensor's data; the tensor itself would otherwise stay registered.
        const initial = tf.fill([...spec.shape], spec.initial ?? 0);
        variables[spec.name] = tf.variable(initial, false);
        initial.dispose();
      }
      this.state.set(term, variables);
    }
  }

  /** The terms of `network`'s loss, in order. */
  termsOf(network: TrainedBy): ObjectiveTerm[] {
    return this.terms.filter((term) => term.network === network);
  }

  /** Whether D scores `images` at four rotations in `network`'s step. */
  rotates(network: TrainedBy, images: 'real' | 'fake'): boolean {
    return this.termsOf(network).some((term) => term.rotated === images);
  }

  /** Whether the G step needs a real batch (for D's record of it, or for a term reading the images). */
  get generatorReadsReal(): boolean {
    return this.termsOf('generator').some((term) => term.readsReal === true || term.rotated === 'real');
  }

  /** Whether the G step generates the batch's second half for the first half's labels (a term compares pairs of fakes). */
  get generatorPairsLabels(): boolean {
    return this.termsOf('generator').some((term) => term.pairsFakeLabels === true);
  }

  /** Whether any term reads D: false for objectives without a discriminator (MvM), which then build none. */
  get usesDiscriminator(): boolean {
    return this.termsOf('discriminator').length > 0 || this.generatorReadsDiscriminator;
  }

  /** Whether the G step runs D (on its fakes, and on its reals when a G term reads them). */
  get generatorReadsDiscriminator(): boolean {
    return this.termsOf('generator').some((term) => term.readsDiscriminator !== false);
  }

  /** Whether the G step's fakes are generated for the labels of its real batch (a term asks for it). */
  get fakesFollowRealLabels(): boolean {
    return this.terms.some((term) => term.fakeLabels === 'real');
  }

  /** The U[0, 1] draws the D step needs (a penalty term asks): per sample, per pixel, or none. */
  get discriminatorUniform(): 'sample' | 'pixel' | undefined {
    return this.termsOf('discriminator').find((term) => term.uniform !== undefined)?.uniform;
  }

  /** The term that chooses the labels D's real images are projected with in the D step, if any. */
  get realLabelsTerm(): ObjectiveTerm | undefined {
    return this.termsOf('discriminator').find((term) => term.realLabels !== undefined);
  }

  /**
   * Inside a loss closure: each term of `network` on `forward`, summed as
   *   total = w_1·L_1 + w_2·L_2 + …   (left to right; a weight of exactly 1 adds L as it is),
   * with a kept copy of every logged scalar added to `logs` and every next state to `nextState`
   * (the caller disposes both).
   */
  sum(network: TrainedBy, forward: ForwardOutputs, logs: Record<string, tf.Scalar>, nextState: Map<ObjectiveTerm, Record<string, tf.Tensor>>): tf.Scalar {
    let total: tf.Scalar | undefined;
    for (const term of this.termsOf(network)) {
      const result = term.compute(forward, this.state.get(term) ?? {});
      const key = term.lossKey === undefined ? term.name : term.lossKey;
      if (key !== null) logs[key] = tf.keep(result.loss.clone());
      for (const [name, value] of Object.entries(result.metrics ?? {})) logs[name] = tf.keep(value.clone());
      if (result.nextState !== undefined) {
        const kept: Record<string, tf.Tensor> = {};
        for (const [name, value] of Object.entries(result.nextState)) kept[name] = tf.keep(value.clone());
        nextState.set(term, kept);
      }
      const weighted = term.weight === 1 ? result.loss : (tf.mul(result.loss, term.weight) as tf.Scalar);
      total = total === undefined ? weighted : (tf.add(total, weighted) as tf.Scalar);
    }
    invariant(total !== undefined, `the objective has no ${network} term`);
    return total;
  }

  /** Writes the next states a {@link sum} collected into the terms' variables and disposes them. */
  writeState(nextState: Map<ObjectiveTerm, Record<string, tf.Tensor>>): void {
    for (const [term, values] of nextState) {
      const variables = this.state.get(term);
      for (const [name, value] of Object.entries(values)) {
        const variable = variables?.[name];
        invariant(variable !== undefined, `term ${term.name} returned state '${name}' it did not declare`);
        variable.assign(value);
        value.dispose();
      }
    }
  }

  /** Every state tensor by `<network>/<term>/<name>`, for checkpoints (empty without stateful terms). */
  stateTensors(): tf.NamedTensorMap {
    const named: tf.NamedTensorMap = {};
    for (const [term, variables] of this.state) {
      for (const [name, variable] of Object.entries(variables)) named[`${term.network}/${term.name}/${name}`] = variable;
    }
    return named;
  }

  /** Restores the state from {@link stateTensors}' names; a missing or misshapen entry is an error. */
  loadState(tensors: tf.NamedTensorMap): void {
    for (const [key, variable] of Object.entries(this.stateTensors()) as [string, tf.Variable][]) {
      const value = tensors[key];
      invariant(value !== undefined, `objective state '${key}' is missing`);
      invariant(value.shape.join(',') === variable.shape.join(','), `objective state '${key}' has shape [${value.shape}], expected [${variable.shape}]`);
      variable.assign(value);
    }
  }

  dispose(): void {
    for (const variables of this.state.values()) tf.dispose(Object.values(variables));
    this.state.clear();
    for (const network of this.networks) network.dispose();
  }
}
