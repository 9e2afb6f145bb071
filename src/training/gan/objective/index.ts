/**
 * GAN objectives as data (docs/ALGORITHMS.md § Objectives). A method lists term names (methods.ts,
 * `objective`); build.ts turns them into an Objective with weights from the gan config; the D and G
 * steps run the forward passes once, sum each network's terms (Σ weight · loss, in list order),
 * minimise, and log every term by name.
 *
 * Adding a term is one file and one registry line:
 * 1. `my-term.ts` exports a TermFactory: `(context) => ({ terms: [...] })`, one ObjectiveTerm per
 *    network it trains. `compute(forward, state)` reads D's records (`forward.real`, `forward.fake`:
 *    logit, rotationLogits, classLogits and the pooled `features`), the images and labels, and
 *    returns `{ loss, metrics? }`; the loss is logged as `lossKey` (default the term's name).
 *    - A generator term that reads D on real images sets `readsReal: true`; the loop then draws a
 *      real batch for the G step.
 *    - A generator term that compares pairs of fakes of one class (mode seeking) sets
 *      `pairsFakeLabels: true`; the G step then generates the batch's second half for the first
 *      half's labels. `forward.z` holds the latent vectors of the fakes.
 *    - Persistent tensors (e.g. moving averages across minibatches) are declared in `state`
 *      ({ name, shape, initial }); `compute` reads them as its second argument and returns
 *      `nextState`, written after the update (no gradient flows through it). Checkpoints save and
 *      restore them (objective-state.bin), so a resumed run continues exactly.
 *    - A network of its own (e.g. a metric network trained with a triplet loss) is a PhaseNetwork
 *      in the factory's `networks`: the loop calls its `update` once per generator step, after the
 *      D steps, on a fresh real batch and fresh noise, with its own optimizer; checkpoints save its
 *      weights and optimizer under its name; generator terms read its model as
 *      `forward.networks[name]`.
 * 2. registry.ts: add `myTerm: myTermFactory` to TERMS. A method then names it in its `objective`.
 */
export { buildObjective, headsObjective, methodObjective } from './build.js';
export { scoreImages } from './forward.js';
export { Objective } from './objective.js';
export { TERM_NAMES, TERMS, type TermName } from './registry.js';
export type { ForwardOutputs, ObjectivePart, ObjectiveTerm, PhaseNetwork, ScoredImages, TermContext, TermFactory, TermResult, TermSettings, TermStateSpec, TrainedBy } from './term.js';
