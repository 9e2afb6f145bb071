/**
 * Limited-memory BFGS (Nocedal & Wright, Numerical Optimization, 2nd ed., Algorithm 7.4, two-loop
 * recursion with memory m) with a weak-Wolfe bisection line search (Lewis & Overton 2013) that
 * falls back on Hager & Zhang's approximate Wolfe test where changes of f are below rounding.
 * Deterministic: the result is a pure function of the objective and the start point.
 */

/** aᵀb with four partial sums (fewer loop-carried dependencies; the rounding differs by ulps). */
export function dot(a: Float64Array, b: Float64Array): number {
  const length = a.length;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i + 3 < length; i += 4) {
    s0 += a[i] * b[i];
    s1 += a[i + 1] * b[i + 1];
    s2 += a[i + 2] * b[i + 2];
    s3 += a[i + 3] * b[i + 3];
  }
  for (; i < length; i++) s0 += a[i] * b[i];
  return s0 + s1 + (s2 + s3);
}

export interface LbfgsResult {
  readonly x: Float64Array;
  readonly f: number;
  readonly gradientMaxAbs: number;
  readonly iterations: number;
  readonly evaluations: number;
  readonly converged: boolean;
}


function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

/** Wolfe constants c1 (sufficient decrease) and c2 (curvature), Nocedal & Wright §3.1. */
const WOLFE_C1 = 1e-4;
const WOLFE_C2 = 0.9;
/**
 * Relative rounding allowance of f in the approximate Wolfe test (Hager & Zhang 2005, eq. 23):
 * near the optimum f changes by less than its rounding error, so sufficient decrease is judged
 * on the directional derivative instead.
 */
const APPROXIMATE_WOLFE_EPSILON = 1e-10;
/** Line-search trials before giving up (bisection halves the bracket each time). */
const MAX_LINE_SEARCH_STEPS = 60;

/**
 * Minimises a smooth function by L-BFGS. `fg(x, grad)` returns f(x) and writes ∇f(x) into grad.
 * Ends when max|∇f| ≤ tolerance, after maxIterations, or when even a steepest-descent line search
 * finds no acceptable step (at the limit of float64 precision).
 */
export function lbfgs(
  fg: (x: Float64Array, grad: Float64Array) => number,
  x0: Float64Array,
  options: { maxIterations: number; tolerance: number; memory: number },
): LbfgsResult {
  const size = x0.length;
  let x = Float64Array.from(x0);
  let grad = new Float64Array(size);
  let f = fg(x, grad);
  let evaluations = 1;
  let xTrial = new Float64Array(size);
  let gTrial = new Float64Array(size);
  const direction = new Float64Array(size);
  const sHistory: Float64Array[] = [];
  const yHistory: Float64Array[] = [];
  const rhoHistory: number[] = [];
  const alphas = new Float64Array(options.memory);
  let iterations = 0;
  let gradientMaxAbs = maxAbs(grad);
  while (gradientMaxAbs > options.tolerance && iterations < options.maxIterations) {
    // 1. Direction −H∇f by the two-loop recursion (N&W Algorithm 7.4), H₀ = γI with
    //    γ = sᵀy / yᵀy of the newest pair (N&W eq. 7.20).
    for (let i = 0; i < size; i++) direction[i] = -grad[i];
    const m = sHistory.length;
    for (let h = m - 1; h >= 0; h--) {
      const a = rhoHistory[h] * dot(sHistory[h], direction);
      alphas[h] = a;
      const yh = yHistory[h];
      for (let i = 0; i < size; i++) direction[i] -= a * yh[i];
    }
    const gamma = m > 0 ? 1 / (rhoHistory[m - 1] * dot(yHistory[m - 1], yHistory[m - 1])) : 1;
    for (let i = 0; i < size; i++) direction[i] *= gamma;
    for (let h = 0; h < m; h++) {
      const b = rhoHistory[h] * dot(yHistory[h], direction);
      const sh = sHistory[h];
      const coefficient = alphas[h] - b;
      for (let i = 0; i < size; i++) direction[i] += coefficient * sh[i];
    }
    let slope = dot(grad, direction);
    if (!(slope < 0)) {
      // Not a descent direction (rounding in a stale memory): restart from steepest descent.
      sHistory.length = 0;
      yHistory.length = 0;
      rhoHistory.length = 0;
      for (let i = 0; i < size; i++) direction[i] = -grad[i];
      slope = dot(grad, direction);
    }

    // 2. Weak-Wolfe step by bracketing and bisection. A steepest-descent step starts at length 1
    //    in θ-space; an L-BFGS step at α = 1, which is accepted most of the time.
    const steepest = sHistory.length === 0;
    let step = steepest ? 1 / Math.sqrt(-slope) : 1;
    let low = 0;
    let high = Infinity;
    let fTrial = NaN;
    let accepted = false;
    for (let trial = 0; trial < MAX_LINE_SEARCH_STEPS; trial++) {
      for (let i = 0; i < size; i++) xTrial[i] = x[i] + step * direction[i];
      fTrial = fg(xTrial, gTrial);
      evaluations++;
      const trialSlope = dot(gTrial, direction);
      const decreased =
        fTrial <= f + WOLFE_C1 * step * slope ||
        (fTrial <= f + APPROXIMATE_WOLFE_EPSILON * Math.abs(f) && trialSlope <= (2 * WOLFE_C1 - 1) * slope);
      if (!decreased) high = step;
      else if (trialSlope < WOLFE_C2 * slope) low = step;
      else {
        accepted = true;
        break;
      }
      step = Number.isFinite(high) ? 0.5 * (low + high) : 2 * low;
    }
    if (!accepted) {
      // A stale curvature memory can give a poor direction: retry once from steepest descent.
      if (steepest) break;
      sHistory.length = 0;
      yHistory.length = 0;
      rhoHistory.length = 0;
      continue;
    }

    // 3. Store s = Δx, y = Δ∇f when the curvature sᵀy > 0 (guaranteed by the Wolfe condition up
    //    to rounding), keeping H positive definite.
    const s = new Float64Array(size);
    const yv = new Float64Array(size);
    for (let i = 0; i < size; i++) {
      s[i] = xTrial[i] - x[i];
      yv[i] = gTrial[i] - grad[i];
    }
    const curvature = dot(s, yv);
    if (curvature > 1e-12 * Math.sqrt(dot(s, s) * dot(yv, yv))) {
      if (sHistory.length === options.memory) {
        sHistory.shift();
        yHistory.shift();
        rhoHistory.shift();
      }
      sHistory.push(s);
      yHistory.push(yv);
      rhoHistory.push(1 / curvature);
    }
    [x, xTrial] = [xTrial, x];
    [grad, gTrial] = [gTrial, grad];
    f = fTrial;
    iterations++;
    gradientMaxAbs = maxAbs(grad);
  }
  return { x, f, gradientMaxAbs, iterations, evaluations, converged: gradientMaxAbs <= options.tolerance };
}

