// Where the embedded devnet's test contracts live, known without starting it: the faucet
// deploys them first thing, with nonces 0..6 in a fixed order, so their CREATE addresses are
// fixed. Offline tools (`gashammer plan --edge I --txs N`) use these; a test checks them
// against a real devnet.

import { getContractAddress } from 'viem';
import { DEVNET_FAUCET_ADDRESS } from './anvil.js';
import type { TestContracts } from './contracts.js';

/** The order deployTestContracts deploys in (its nonce offsets). */
export const TEST_CONTRACT_ORDER = ['token', 'storageWriter', 'gasBurner', 'counter', 'reverter', 'contentionTarget', 'eventEmitter'] as const satisfies readonly (keyof TestContracts)[];

export function embeddedDevnetContracts(): TestContracts {
  const entries = TEST_CONTRACT_ORDER.map((key, nonce) => [key, getContractAddress({ from: DEVNET_FAUCET_ADDRESS, nonce: BigInt(nonce) })] as const);
  return Object.fromEntries(entries) as unknown as TestContracts;
}
