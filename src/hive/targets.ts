// Where runs send their load. The embedded devnet: started once by `gashammer run` (or per run
// by a long-lived hive) with its test contracts and feed relay. A remote chain (staging): checked
// for its chain id, and given GasHammer's test contracts, deployed with the funder key, once per
// hive. Either way the run gets the endpoints and contract addresses it hands to its edges, and
// a funder: the hive funds every edge's accounts from one key (the devnet faucet, or the hive's
// GASHAMMER_FUNDER_KEY), so edges never hold it and never race each other for its nonces.

import { privateKeyToAccount } from 'viem/accounts';
import type { Address, Hex } from 'viem';
import { createRpcClient } from '../chain/rpc-client.js';
import { createDevnetClients, deployTestContracts, type TestContracts } from '../devnet/contracts.js';
import { startEmbeddedDevnet, type Devnet } from '../devnet/embedded-devnet.js';
import type { Target } from '../proto/gashammer/v1/types.js';
import { fundLoadAccounts } from '../workload/funding.js';
import type { ProvidedTarget } from './hive.js';

/** Funds a run's load accounts from `funderKey`; test tokens only when the workload uses them. */
function funderFor(rpcUrl: string, chainId: number, funderKey: Hex, token: Address): ProvidedTarget['fund'] {
  return async (addresses, usesToken) => {
    await fundLoadAccounts({ rpcUrl, chainId, funderKey, accounts: addresses.map((address) => ({ address })), ...(usesToken ? { token } : {}) });
  };
}

export function contractsOnWire(c: TestContracts): NonNullable<Target['contracts']> {
  return {
    token: c.token,
    storageWriter: c.storageWriter,
    gasBurner: c.gasBurner,
    counter: c.counter,
    reverter: c.reverter,
    contentionTarget: c.contentionTarget,
    eventEmitter: c.eventEmitter,
  };
}

/** A devnet that outlives the run (its owner stops it). */
export function devnetTarget(devnet: Devnet): ProvidedTarget {
  return {
    kind: 'devnet',
    target: {
      rpcUrl: devnet.rpcUrl,
      wsUrl: devnet.wsUrl,
      feedUrl: devnet.feedUrl,
      chainId: BigInt(devnet.chainId),
      contracts: contractsOnWire(devnet.contracts),
    },
    fund: funderFor(devnet.rpcUrl, devnet.chainId, devnet.faucet.privateKey, devnet.contracts.token),
    release: async () => {},
  };
}

/** A fresh embedded devnet for one run, stopped when the run ends. */
export async function freshDevnetTarget(): Promise<ProvidedTarget> {
  const devnet = await startEmbeddedDevnet();
  return { ...devnetTarget(devnet), release: () => devnet.stop() };
}

export interface RemoteTargetOptions {
  readonly rpcUrl: string;
  readonly wsUrl?: string;
  readonly feedUrl?: string;
  readonly chainId: number;
  /** Deploys the test contracts; never sent to edges. */
  readonly funderKey: Hex;
}

/** Prepares a remote chain: checks its chain id and deploys the test contracts once. */
export async function prepareRemoteTarget(options: RemoteTargetOptions): Promise<() => Promise<ProvidedTarget>> {
  const client = createRpcClient({ url: options.rpcUrl });
  await client.expectChainId(options.chainId);
  const clients = createDevnetClients({ rpcUrl: options.rpcUrl, chainId: options.chainId, requestTimeoutMs: 30_000 });
  const contracts = await deployTestContracts(clients, privateKeyToAccount(options.funderKey), { receiptTimeoutMs: 120_000 });
  const target: Target = {
    rpcUrl: options.rpcUrl,
    wsUrl: options.wsUrl ?? '',
    feedUrl: options.feedUrl ?? '',
    chainId: BigInt(options.chainId),
    contracts: contractsOnWire(contracts),
  };
  const fund = funderFor(options.rpcUrl, options.chainId, options.funderKey, contracts.token);
  return async () => ({ kind: 'remote', target, fund, release: async () => {} });
}
