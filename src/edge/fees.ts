// The fee caps an edge signs with. Fixed for a run (so transactions are reproducible) and high
// above the base fee, because under saturation the base fee climbs 12.5% per full block and a
// tight cap would turn a capacity test into a fee test. The sender pays the base fee, not the cap.

import type { FeePolicy } from './tx-generator.js';

const GWEI = 1_000_000_000n;
/** The floor of the fee cap: 100 gwei, 1,000 times Nitro's minimum base fee. */
export const MIN_FEE_CAP_WEI = 100n * GWEI;

/** Caps for a run that starts at `baseFeeWei`: at least 100 gwei, at least 100x the base fee. */
export function feePolicyFor(baseFeeWei: bigint): FeePolicy {
  const cap = baseFeeWei * 100n > MIN_FEE_CAP_WEI ? baseFeeWei * 100n : MIN_FEE_CAP_WEI;
  // Nitro ignores priority fees (tips are not paid to anyone by default): send none.
  return { maxFeePerGas: cap, maxPriorityFeePerGas: 0n };
}

/** The caps on a fresh embedded devnet (base fee 0.1 gwei): what offline plans sign with. */
export const DEVNET_FEE_POLICY: FeePolicy = feePolicyFor(100_000_000n);
