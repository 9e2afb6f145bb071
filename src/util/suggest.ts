import { distance } from 'fastest-levenshtein';

/**
 * The candidate nearest to `word` by edit distance, when near enough to be a plausible typo
 * (at most a third of the word's length, minimum 2 edits); undefined otherwise.
 */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = distance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  const allowed = Math.max(2, Math.floor(word.length / 3));
  return bestDistance <= allowed ? best : undefined;
}

/**
 * " (did you mean 'x'?)" or "", for appending to an error message. With `prefix` (a key path),
 * the suggestion is spelled as the full path: 'gan.batchSize'.
 */
export function didYouMean(word: string, candidates: readonly string[], prefix: readonly string[] = []): string {
  const guess = nearest(word, candidates);
  return guess === undefined ? '' : ` (did you mean '${[...prefix, guess].join('.')}'?)`;
}
