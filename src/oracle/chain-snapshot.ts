// Reads a ChainSnapshot: the balance and nonce of each of a run's accounts at one block, the
// fixed points balance-conservation and nonce-monotonicity compare the observations with. Two
// kinds of JSON-RPC batches (eth_getBalance, eth_getTransactionCount), each of up to the
// client's batch size, all at the same block so the state is consistent. A failure is the
// client's RpcError (GH-E100 transport, GH-E101 timeout, GH-E117 the node refused, e.g. state
// pruned): a node that is not an archive keeps old state only for a while, so read the start
// snapshot when the run starts, not afterwards.

import type { Address } from 'viem';
import type { RpcClient } from '../chain/rpc-client.js';
import type { AccountState, ChainSnapshot } from './observations.js';

export async function readChainSnapshot(
  client: Pick<RpcClient, 'getBalances' | 'getTransactionCounts'>,
  accounts: readonly string[],
  blockNumber: bigint,
): Promise<ChainSnapshot> {
  const addresses = [...new Set(accounts.map((a) => a.toLowerCase()))] as Address[];
  const [balances, nonces] = await Promise.all([client.getBalances(addresses, blockNumber), client.getTransactionCounts(addresses, blockNumber)]);
  const states = new Map<string, AccountState>();
  addresses.forEach((address, i) => states.set(address, { balance: balances[i]!, nonce: nonces[i]! }));
  return { blockNumber, accounts: states };
}
