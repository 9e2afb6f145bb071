/** Objectives from term names: a method's (its `objective` list and the gan config) or a list given directly. */
import type { Config } from '../../../config/schema.js';
import type { MethodSpec } from '../../../methods/methods.js';
import { UserError, userCheck } from '../../../util/errors.js';
import { Objective } from './objective.js';
import { PENALTY_TERMS, TERM_NAMES, TERMS, type TermName } from './registry.js';
import type { TermContext } from './term.js';

/** The objective of the terms `names`, in that order (each factory's terms in its own order). */
export function buildObjective(names: readonly string[], context: TermContext): Objective {
  const parts = names.map((name) => {
    userCheck(Object.hasOwn(TERMS, name), `unknown objective term '${name}'; known: ${TERM_NAMES.join(', ')}`);
    return TERMS[name as TermName](context);
  });
  return new Objective(
    parts.flatMap((part) => part.terms),
    parts.flatMap((part) => part.networks ?? []),
  );
}

/**
 * The objective `method` chooses, with weights from the gan config. gan.manifoldWeight > 0 adds MMGAN's
 * manifold term to G's loss of a method that does not list it (docs/ALGORITHMS.md § MMGAN);
 * gan.modeSeekingWeight > 0 adds the mode-seeking term to any method's G terms, last
 * (docs/ALGORITHMS.md § Mode seeking). gan.penalty other than 'none' adds that gradient penalty, and
 * gan.l2Weight > 0 the L2 penalty, to D's terms, last (docs/ALGORITHMS.md § Gradient penalties);
 * gan.driftWeight > 0 then adds ProGAN's drift term (docs/ALGORITHMS.md § ProGAN).
 */
export function methodObjective(method: MethodSpec, gan: Config['gan'], shape?: TermContext['shape'], seed?: number, featureDim?: number): Objective {
  const names: string[] = [...method.objective];
  if (gan.manifoldWeight > 0 && !names.includes('manifold')) names.push('manifold');
  if (gan.modeSeekingWeight > 0) names.push('modeSeeking');
  const penalties: TermName[] = [];
  if (gan.penalty !== 'none') penalties.push(PENALTY_TERMS[gan.penalty]);
  if (gan.l2Weight > 0) penalties.push('l2');
  if (gan.driftWeight > 0) penalties.push('drift');
  const objective = buildObjective([...names, ...penalties], { settings: gan, shape, seed, featureDim, conditional: method.conditional });
  if (penalties.length > 0 && objective.termsOf('discriminator').length === penalties.length) {
    objective.dispose();
    const key = gan.penalty !== 'none' ? 'gan.penalty' : gan.l2Weight > 0 ? 'gan.l2Weight' : 'gan.driftWeight';
    throw new UserError(`${key}: method ${method.name} trains no discriminator to penalise`);
  }
  return objective;
}

/** The S3GAN-family objective a discriminator's heads imply: adversarial, then rotation and classification when D has those heads. */
export function headsObjective(heads: { readonly rotation: boolean; readonly coTraining: boolean }, context: TermContext): Objective {
  const names: TermName[] = ['adversarial'];
  if (heads.rotation) names.push('rotation');
  if (heads.coTraining) names.push('classification');
  return buildObjective(names, context);
}
