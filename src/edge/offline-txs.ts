// The first transactions an edge would send, produced without a chain: the determinism check
// behind `gashammer plan --edge I --txs N`. It assumes a fresh embedded devnet (its chain id,
// its contract addresses, nonces from 0, the catalogue's gas figures, the devnet fee caps) and
// that every lease succeeds, so the output depends on the scenario, seed and edge index alone.

import { embeddedDevnetContracts } from '../devnet/devnet-addresses.js';
import { DEVNET_CHAIN_ID } from '../devnet/anvil.js';
import { TEST_MNEMONIC } from '../config/schema.js';
import type { RunPlan } from '../scenario/compile.js';
import { AccountPool } from '../workload/account-pool.js';
import { deriveEdgeAccounts } from '../workload/accounts.js';
import { staticCalibration } from '../workload/calibration.js';
import type { TemplateName } from '../workload/template-catalog.js';
import { DEVNET_FEE_POLICY } from './fees.js';
import { TxGenerator, type GeneratedTx } from './tx-generator.js';

export async function offlineTransactions(plan: RunPlan, edgeIndex: number, count: number): Promise<GeneratedTx[]> {
  const edge = plan.edges[edgeIndex];
  if (!edge) return [];
  const accounts = deriveEdgeAccounts(edge, TEST_MNEMONIC, plan.accountDerivationBase);
  // Offline, no transaction is ever in flight: lift the cap so leases never wait.
  const pool = new AccountPool({ accounts, readNonce: async () => 0, maxInFlightPerAccount: Number.MAX_SAFE_INTEGER });
  await pool.initialize();
  const calibration = staticCalibration(plan.templateMix.map((t) => ({ name: t.name as TemplateName, params: t.params })));
  const generator = new TxGenerator({ plan, edgeIndex, chainId: DEVNET_CHAIN_ID, contracts: embeddedDevnetContracts(), pool, calibration, fees: DEVNET_FEE_POLICY });
  const out: GeneratedTx[] = [];
  while (out.length < count) {
    const tx = generator.build(generator.plan());
    if (!tx) break;
    out.push(tx);
  }
  return out;
}
