// How fault-schedule events refer to things: which active fault a clear means, and which edge
// indexes a selector names. Shared by the semantic checks, the compiler and the scenario hash
// so the three always agree.

import type { EdgeSelector, FaultRef, FaultSpec } from './types.js';

/** Whether a clear's reference names this fault (every field it gives must match). */
export function faultMatches(spec: FaultSpec, ref: FaultRef): boolean {
  return (
    (ref.name === undefined || ref.name === spec.name) &&
    (ref.type === undefined || ref.type === spec.type) &&
    (ref.target === undefined || ref.target === spec.target)
  );
}

/** Region of edge `index`: regions are dealt round-robin; none when the scenario names none. */
export function edgeRegion(index: number, regions: readonly string[]): string | undefined {
  return regions.length === 0 ? undefined : regions[index % regions.length];
}

/** Edge indexes (ascending) a selector names in a run of `count` edges; out-of-range ids are dropped. */
export function selectEdges(selector: EdgeSelector, count: number, regions: readonly string[]): number[] {
  const all = Array.from({ length: count }, (_, i) => i);
  switch (selector.kind) {
    case 'all':
      return all;
    case 'region':
      return all.filter((i) => edgeRegion(i, regions) === selector.region);
    case 'ids':
      return [...new Set(selector.ids)].filter((i) => i < count).sort((a, b) => a - b);
  }
}
