// The Nitro devnet in a container: `offchainlabs/nitro-node --dev` through testcontainers, with
// its sequencer feed enabled, the L1 price set to 0 (so plain transfers fit in 21,000 gas) and
// the test contracts deployed. Same interface as the embedded devnet. Needs a container
// runtime (Docker); where there is none it fails fast with GH-E115 and says why.

import type * as Testcontainers from 'testcontainers';
import { privateKeyToAccount } from 'viem/accounts';
import { encodeFunctionData, parseAbi, type Address, type Hex } from 'viem';
import { ErrorCodes } from '../errors/codes.js';
import { GasHammerError } from '../errors/gashammer-error.js';
import { jsonRpcCall } from '../chain/json-rpc-call.js';
import { createDevnetClients, deployTestContracts } from './contracts.js';
import type { Devnet } from './embedded-devnet.js';

export const DEFAULT_NITRO_IMAGE = 'offchainlabs/nitro-node:v3.9.6-91bf578';
const NITRO_DEV_CHAIN_ID = 412_346;
/** Nitro's prefunded dev account: public knowledge, dev chains only. */
const NITRO_DEV_KEY: Hex = '0xb6b15c8cb491557369f3c7d2c287b053eb229daa9c22138887752191c9520659';
const NITRO_DEV_ADDRESS: Address = '0x3f1Eae7D46d88F08fc2F8ed27FCb2AB183EB2d0E';
const ARB_DEBUG: Address = '0x00000000000000000000000000000000000000ff';
const ARB_OWNER: Address = '0x0000000000000000000000000000000000000070';

const RPC_PORT = 8547;
const WS_PORT = 8548;
const FEED_PORT = 9642;

/** The flags NITRO.md gives for a dev node in a container, feed output on. */
export function nitroDevArgs(): string[] {
  return [
    '--dev',
    '--http.addr', '0.0.0.0',
    '--http.port', String(RPC_PORT),
    '--http.vhosts', '*',
    '--http.api', 'net,web3,eth,arb,debug',
    '--ws.addr', '0.0.0.0',
    '--ws.port', String(WS_PORT),
    '--ws.api', 'net,web3,eth,arb',
    '--node.feed.output.enable',
    '--node.feed.output.addr', '0.0.0.0',
    '--node.feed.output.port', String(FEED_PORT),
  ];
}

export interface NitroDevnetOptions {
  readonly image?: string;
  readonly readyTimeoutMs?: number;
}

function isRuntimeMissing(e: unknown): boolean {
  const text = e instanceof Error ? `${e.message}` : String(e);
  return /container runtime|docker.*(not|unavailable)|ENOENT.*docker\.sock|connect ENOENT/i.test(text);
}

async function waitForChain(rpcUrl: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (Number(await jsonRpcCall<string>(rpcUrl, 'eth_chainId', [], 2_000)) === NITRO_DEV_CHAIN_ID) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new GasHammerError(ErrorCodes.DevnetStart, `the Nitro dev node did not answer eth_chainId within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function startNitroDevnet(options: NitroDevnetOptions = {}): Promise<Devnet> {
  const image = options.image ?? DEFAULT_NITRO_IMAGE;
  let testcontainers: typeof Testcontainers;
  try {
    testcontainers = await import('testcontainers');
  } catch (cause) {
    throw new GasHammerError(ErrorCodes.ContainerRuntime, 'the testcontainers library could not be loaded on this Node.js', { cause });
  }
  let container: Awaited<ReturnType<InstanceType<typeof testcontainers.GenericContainer>['start']>>;
  try {
    container = await new testcontainers.GenericContainer(image)
      .withCommand(nitroDevArgs())
      .withExposedPorts(RPC_PORT, WS_PORT, FEED_PORT)
      .withStartupTimeout(options.readyTimeoutMs ?? 120_000)
      .start();
  } catch (cause) {
    if (isRuntimeMissing(cause)) {
      throw new GasHammerError(ErrorCodes.ContainerRuntime, `no container runtime to run ${image}: ${(cause as Error).message}`, { cause });
    }
    throw new GasHammerError(ErrorCodes.DevnetStart, `the Nitro container ${image} did not start`, { cause });
  }
  const host = container.getHost();
  const rpcUrl = `http://${host}:${container.getMappedPort(RPC_PORT)}`;
  try {
    await waitForChain(rpcUrl, options.readyTimeoutMs ?? 120_000);
    const clients = createDevnetClients({ rpcUrl, chainId: NITRO_DEV_CHAIN_ID });
    const owner = privateKeyToAccount(NITRO_DEV_KEY);
    // The dev chain charges a 50 gwei L1 price, so a plain transfer needs far more than 21,000
    // gas. Become chain owner through ArbDebug, then set the L1 price to 0 through ArbOwner.
    for (const [to, data] of [
      [ARB_DEBUG, encodeFunctionData({ abi: parseAbi(['function becomeChainOwner()']), functionName: 'becomeChainOwner' })],
      [ARB_OWNER, encodeFunctionData({ abi: parseAbi(['function setL1PricePerUnit(uint256)']), functionName: 'setL1PricePerUnit', args: [0n] })],
    ] as const) {
      const hash = await clients.walletClient.sendTransaction({ account: owner, to, data, chain: clients.walletClient.chain });
      await clients.publicClient.waitForTransactionReceipt({ hash });
    }
    const contracts = await deployTestContracts(clients, owner);
    return {
      kind: 'nitro-container',
      chainId: NITRO_DEV_CHAIN_ID,
      rpcUrl,
      wsUrl: `ws://${host}:${container.getMappedPort(WS_PORT)}`,
      feedUrl: `ws://${host}:${container.getMappedPort(FEED_PORT)}`,
      faucet: { address: NITRO_DEV_ADDRESS, privateKey: NITRO_DEV_KEY },
      contracts,
      stop: async () => {
        await container.stop();
      },
    };
  } catch (e) {
    await container.stop();
    throw e;
  }
}
