// The edge's clock: monotonic nanoseconds for ordering and latencies within a process, and
// wall-clock nanoseconds for lining up events across edges. Wall time is derived from one
// reading of Date.now() plus the monotonic delta, so the two never disagree within a process
// and wall time never jumps when the system clock is adjusted mid-run.

export interface Clock {
  /** Monotonic nanoseconds (process.hrtime.bigint()). */
  monoNs(): bigint;
  /** Wall-clock nanoseconds since the Unix epoch. */
  wallNs(): bigint;
  /** Wall-clock nanoseconds of a monotonic reading taken earlier. */
  wallOf(monoNs: bigint): bigint;
}

export function systemClock(): Clock {
  const baseMono = process.hrtime.bigint();
  const baseWall = BigInt(Date.now()) * 1_000_000n;
  const wallOf = (mono: bigint) => baseWall + (mono - baseMono);
  return {
    monoNs: () => process.hrtime.bigint(),
    wallNs: () => wallOf(process.hrtime.bigint()),
    wallOf,
  };
}

/** A clock tests move by hand. */
export function manualClock(startWallMs = 1_700_000_000_000): Clock & { advanceNs(ns: bigint): void; advanceMs(ms: number): void } {
  let mono = 0n;
  const baseWall = BigInt(startWallMs) * 1_000_000n;
  return {
    monoNs: () => mono,
    wallNs: () => baseWall + mono,
    wallOf: (m) => baseWall + m,
    advanceNs: (ns) => {
      mono += ns;
    },
    advanceMs: (ms) => {
      mono += BigInt(Math.round(ms * 1e6));
    },
  };
}
