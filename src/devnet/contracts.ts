// Deploys GasHammer's test contracts (the targets of the built-in workloads) to a devnet, and,
// separately, the L1 mocks that tests of the L1 reader need. All deployments of one call are
// signed up front with consecutive nonces and sent back to back, so they land in about one
// block instead of one block each.

import {
  BaseError,
  createPublicClient,
  createWalletClient,
  defineChain,
  encodeDeployData,
  http,
  type Abi,
  type Account,
  type Address,
  type Chain,
  type Hash,
  type Hex,
  type PublicClient,
  type Transport,
  type WalletClient,
} from 'viem';
import { ErrorCodes } from '../errors/codes.js';
import { GasHammerError } from '../errors/gashammer-error.js';
import { userAgent } from '../util/build-info.js';
import {
  ContentionTarget,
  Counter,
  EventEmitter,
  GasBurner,
  GasHammerToken,
  MockRollup,
  MockSequencerInbox,
  Reverter,
  StorageWriter,
} from './contract-artifacts.js';

/** A wallet client to sign with and a public client to read with, on the same devnet. */
export interface DevnetClients {
  readonly walletClient: WalletClient<Transport, Chain>;
  readonly publicClient: PublicClient<Transport, Chain>;
}

export interface DevnetClientOptions {
  readonly rpcUrl: string;
  readonly chainId: number;
  /** How often to poll for receipts; devnet blocks come every 250 ms, viem's default is 4 s. */
  readonly pollingIntervalMs?: number;
  /** Per-request HTTP timeout. */
  readonly requestTimeoutMs?: number;
}

/**
 * Clients for a devnet's HTTP endpoint. `retryCount: 0`: a failed request fails at once and the
 * caller decides what to do; viem's silent retries would blur what the devnet actually did.
 */
export function createDevnetClients(options: DevnetClientOptions): DevnetClients {
  const chain = defineChain({
    id: options.chainId,
    name: `GasHammer devnet ${options.chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [options.rpcUrl] } },
  });
  const transport = http(options.rpcUrl, {
    retryCount: 0,
    timeout: options.requestTimeoutMs ?? 10_000,
    fetchOptions: { headers: { 'user-agent': userAgent() } },
  });
  const pollingInterval = options.pollingIntervalMs ?? 100;
  return {
    walletClient: createWalletClient({ chain, transport, pollingInterval }),
    publicClient: createPublicClient({ chain, transport, pollingInterval }),
  };
}

/** Addresses of the deployed test contracts, by the role the workloads give them. */
export interface TestContracts {
  readonly token: Address;
  readonly storageWriter: Address;
  readonly gasBurner: Address;
  readonly counter: Address;
  readonly reverter: Address;
  readonly contentionTarget: Address;
  readonly eventEmitter: Address;
}

/** Addresses of the deployed L1 mocks. */
export interface L1Mocks {
  readonly sequencerInbox: Address;
  readonly rollup: Address;
}

export interface DeployOptions {
  /** How long to wait for each receipt. */
  readonly receiptTimeoutMs?: number;
}

export interface TestContractOptions extends DeployOptions {
  /** GasHammerToken supply minted to the deployer, in wei-like units (18 decimals). */
  readonly tokenInitialSupply?: bigint;
}

/** The rollup configuration MockRollup reports in every AssertionCreated. */
export interface MockRollupConfig {
  readonly wasmModuleRoot: Hex;
  readonly baseStake: bigint;
  readonly challengeManager: Address;
  readonly confirmPeriodBlocks: bigint;
}

export interface L1MockOptions extends DeployOptions {
  readonly rollup?: Partial<MockRollupConfig>;
}

/** One billion GHT. */
export const DEFAULT_TOKEN_SUPPLY = 1_000_000_000n * 10n ** 18n;

/** Placeholders that look like a dev rollup's: 1 ETH stake, 20-block confirm period (Nitro's dev default). */
export const DEFAULT_MOCK_ROLLUP_CONFIG: MockRollupConfig = {
  wasmModuleRoot: `0x${'00'.repeat(31)}01`,
  baseStake: 10n ** 18n,
  challengeManager: '0x0000000000000000000000000000000000000000',
  confirmPeriodBlocks: 20n,
};

interface Deployment<K extends string> {
  readonly key: K;
  /** The contract name, as errors report it. */
  readonly contract: string;
  readonly abi: Abi;
  readonly bytecode: Hex;
  readonly args?: readonly unknown[];
}

/**
 * Gas limit headroom over eth_estimateGas. On Nitro the estimate includes the L1 data cost,
 * which follows the L1 price and may rise between estimate and inclusion.
 */
const GAS_HEADROOM_PERCENT = 10n;

/**
 * The node's answer in one line. viem's full message also carries the URL and the request body
 * (a deployment's whole bytecode), which belong in the cause, not in what the user reads.
 */
function answerOf(cause: unknown): string {
  if (cause instanceof BaseError) {
    const short = cause.shortMessage.replace(/\.$/, '');
    return cause.details && cause.details !== cause.shortMessage ? `${short} (${cause.details})` : short;
  }
  return cause instanceof Error ? cause.message : String(cause);
}

function failure(contract: string, step: string, cause: unknown): GasHammerError {
  return new GasHammerError(ErrorCodes.ContractDeploy, `deploying ${contract} failed while ${step}: ${answerOf(cause)}`, { cause });
}

async function attempt<T>(contract: string, step: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (cause) {
    throw failure(contract, step, cause);
  }
}

async function deployAll<K extends string>(
  clients: DevnetClients,
  account: Account,
  deployments: readonly Deployment<K>[],
  options: DeployOptions,
): Promise<Record<K, Address>> {
  const { walletClient, publicClient } = clients;
  const first = deployments[0];
  if (!first) return {} as Record<K, Address>;
  // One nonce and one fee quote for the batch: each transaction gets the next nonce, so all of
  // them can be signed at once and none waits for the previous one's receipt.
  const [nonce, fees] = await attempt(first.contract, 'reading the nonce and fees', () =>
    Promise.all([
      publicClient.getTransactionCount({ address: account.address, blockTag: 'pending' }),
      publicClient.estimateFeesPerGas(),
    ]),
  );
  const signed = await Promise.all(
    deployments.map((d, i) =>
      attempt(d.contract, 'signing', async () => {
        const data = encodeDeployData({ abi: d.abi, bytecode: d.bytecode, args: d.args ?? [] });
        const estimate = await publicClient.estimateGas({ account, data });
        return walletClient.signTransaction({
          account,
          chain: walletClient.chain,
          data,
          nonce: nonce + i,
          gas: estimate + (estimate * GAS_HEADROOM_PERCENT) / 100n,
          maxFeePerGas: fees.maxFeePerGas,
          maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
        });
      }),
    ),
  );
  // Sent in nonce order, each after the previous was accepted: a node never sees a nonce gap
  // (Nitro's sequencer only briefly holds transactions from the future).
  const hashes: Hash[] = [];
  for (const [i, d] of deployments.entries()) {
    hashes.push(await attempt(d.contract, 'sending', () => publicClient.sendRawTransaction({ serializedTransaction: signed[i]! })));
  }
  const addresses = await Promise.all(
    deployments.map((d, i) =>
      attempt(d.contract, 'waiting for the receipt', async () => {
        const receipt = await publicClient.waitForTransactionReceipt({ hash: hashes[i]!, timeout: options.receiptTimeoutMs ?? 60_000 });
        if (receipt.status !== 'success') throw new Error(`transaction ${receipt.transactionHash} reverted in block ${receipt.blockNumber}`);
        if (!receipt.contractAddress) throw new Error(`the receipt of ${receipt.transactionHash} has no contract address`);
        return receipt.contractAddress;
      }),
    ),
  );
  const out = {} as Record<K, Address>;
  for (const [i, d] of deployments.entries()) out[d.key] = addresses[i]!;
  return out;
}

/**
 * Deploys every workload test contract from `account` and waits for their receipts. The
 * account pays for seven deployments (about 1.3M gas in all). Throws GasHammerError GH-E116
 * naming the contract whose deployment failed; contracts sent before it may still be mined.
 */
export function deployTestContracts(clients: DevnetClients, account: Account, options: TestContractOptions = {}): Promise<TestContracts> {
  return deployAll<keyof TestContracts>(
    clients,
    account,
    [
      { key: 'token', contract: 'GasHammerToken', abi: GasHammerToken.abi, bytecode: GasHammerToken.bytecode, args: [options.tokenInitialSupply ?? DEFAULT_TOKEN_SUPPLY] },
      { key: 'storageWriter', contract: 'StorageWriter', abi: StorageWriter.abi, bytecode: StorageWriter.bytecode },
      { key: 'gasBurner', contract: 'GasBurner', abi: GasBurner.abi, bytecode: GasBurner.bytecode },
      { key: 'counter', contract: 'Counter', abi: Counter.abi, bytecode: Counter.bytecode },
      { key: 'reverter', contract: 'Reverter', abi: Reverter.abi, bytecode: Reverter.bytecode },
      { key: 'contentionTarget', contract: 'ContentionTarget', abi: ContentionTarget.abi, bytecode: ContentionTarget.bytecode },
      { key: 'eventEmitter', contract: 'EventEmitter', abi: EventEmitter.abi, bytecode: EventEmitter.bytecode },
    ],
    options,
  );
}

/**
 * Deploys MockSequencerInbox and MockRollup, the L1 stand-ins whose events decode with the real
 * Arbitrum ABIs. For tests of the L1 reader against anvil, never for a real L1.
 */
export function deployL1Mocks(clients: DevnetClients, account: Account, options: L1MockOptions = {}): Promise<L1Mocks> {
  const rollup = { ...DEFAULT_MOCK_ROLLUP_CONFIG, ...options.rollup };
  return deployAll<keyof L1Mocks>(
    clients,
    account,
    [
      { key: 'sequencerInbox', contract: 'MockSequencerInbox', abi: MockSequencerInbox.abi, bytecode: MockSequencerInbox.bytecode },
      {
        key: 'rollup',
        contract: 'MockRollup',
        abi: MockRollup.abi,
        bytecode: MockRollup.bytecode,
        args: [rollup.wasmModuleRoot, rollup.baseStake, rollup.challengeManager, rollup.confirmPeriodBlocks],
      },
    ],
    options,
  );
}
