// Chooses the template of each transaction from the run plan's mix, with the edge's PRNG:
// Vose's alias method, so every pick costs two draws and O(1) work whatever the mix's size.
// The table is built once from the probabilities with plain double arithmetic, which is the
// same IEEE 754 arithmetic on every platform, so one seed picks the same sequence everywhere.

import { ErrorCodes } from '../errors/codes.js';
import { GasHammerError } from '../errors/gashammer-error.js';
import type { Prng } from './prng.js';

/** What the picker needs of a mix entry; RunPlan.templateMix entries qualify. */
export interface WeightedEntry {
  /** Share of picks; the entries' probabilities need not add up to exactly 1 (they are normalised). */
  readonly probability: number;
}

export interface TemplatePicker<T extends WeightedEntry> {
  /** The mix as given (entries of probability 0 are kept here but never picked). */
  readonly entries: readonly T[];
  /** Index into `entries` of the next pick. Consumes two or more PRNG draws. */
  pickIndex(prng: Prng): number;
  pick(prng: Prng): T;
}

function invalidMix(message: string): GasHammerError {
  // The mix comes from a compiled plan whose weights the scenario checks already validated.
  return new GasHammerError(ErrorCodes.Internal, `template mix ${message}`);
}

export function createTemplatePicker<T extends WeightedEntry>(mix: readonly T[]): TemplatePicker<T> {
  for (const [i, e] of mix.entries()) {
    if (!Number.isFinite(e.probability) || e.probability < 0) throw invalidMix(`entry ${i} has probability ${e.probability}`);
  }
  // Zero-probability entries are left out of the table, so rounding can never select one.
  const live = mix.flatMap((e, i) => (e.probability > 0 ? [i] : []));
  if (live.length === 0) throw invalidMix('has no entry with a positive probability');
  const n = live.length;
  const total = live.reduce((s, i) => s + mix[i]!.probability, 0);

  // Vose: scale each probability by n; columns below 1 are topped up from one above 1.
  const scaled = live.map((i) => (mix[i]!.probability * n) / total);
  const accept = new Float64Array(n);
  const alias = new Int32Array(n);
  const small: number[] = [];
  const large: number[] = [];
  scaled.forEach((p, c) => (p < 1 ? small : large).push(c));
  while (small.length > 0 && large.length > 0) {
    const s = small.pop()!;
    const l = large.pop()!;
    accept[s] = scaled[s]!;
    alias[s] = l;
    scaled[l] = scaled[l]! + scaled[s]! - 1;
    (scaled[l]! < 1 ? small : large).push(l);
  }
  // Whatever is left is 1 up to rounding.
  for (const c of [...large, ...small]) {
    accept[c] = 1;
    alias[c] = c;
  }
  const target = Int32Array.from(live);
  const aliasTarget = Int32Array.from(alias, (c) => live[c]!);

  const pickIndex = (prng: Prng): number => {
    const column = prng.nextInt(n);
    return prng.nextFloat() < accept[column]! ? target[column]! : aliasTarget[column]!;
  };
  return { entries: mix, pickIndex, pick: (prng) => mix[pickIndex(prng)]! };
}
