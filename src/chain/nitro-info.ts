// Reads a Nitro chain's real gas parameters from its precompiles (ArbSys at 0x64, ArbGasInfo at
// 0x6c) with the ABIs Offchain Labs publishes in @arbitrum/nitro-contracts. On a chain without
// them (anvil, any non-Arbitrum chain) it says so plainly instead of failing: an eth_call to an
// address without code answers "0x".

import { createRequire } from 'node:module';
import { decodeFunctionResult, encodeFunctionData, type Abi, type AbiFunction, type Address, type Hex } from 'viem';
import { isRpcError, malformedResponse, type RpcError } from './rpc-errors.js';
import type { RpcClient } from './rpc-client.js';

export const ARB_SYS_ADDRESS: Address = '0x0000000000000000000000000000000000000064';
export const ARB_GAS_INFO_ADDRESS: Address = '0x000000000000000000000000000000000000006C';

/** ArbSys.arbOSVersion() answers 55 + the ArbOS version ("Nitro starts at version 56"). */
export const ARBOS_VERSION_OFFSET = 55n;

export const NO_PRECOMPILES_REASON = 'this chain has no Arbitrum precompiles (not a Nitro chain, e.g. anvil)';

export interface NitroChainParams {
  readonly available: true;
  /** The ArbOS version (arbOSVersion() minus its offset of 55), e.g. 32. */
  readonly arbOSVersion: number;
  /** The L2 block number as ArbOS sees it. */
  readonly arbBlockNumber: bigint;
  /** getGasAccountingParams()[0]: the speed limit, gas/s (ArbOS >= 50: the single-constraint target). */
  readonly speedLimitPerSecond: bigint;
  /**
   * getGasAccountingParams()[1]. Nitro before ArbOS 50 returns the per-block gas limit here too;
   * the nitro-contracts 3.2 NatSpec says it is always zero now. Do not size anything from it.
   */
  readonly gasPoolMax: bigint;
  /**
   * getGasAccountingParams()[2]: Nitro's source calls it maxTxGasLimit and fills it with the
   * per-block gas limit (the two are one limit before ArbOS 50); nitro-contracts 3.2 names it
   * maxBlockGasLimit.
   */
  readonly maxTxGasLimit: bigint;
  /** getMaxBlockGasLimit(), ArbOS >= 50; undefined where the getter does not exist yet. */
  readonly maxBlockGasLimit: bigint | undefined;
  /** The minimum base fee, wei. */
  readonly minimumGasPrice: bigint;
  /** Gas burnt above the speed limit, not yet worked off: the congestion signal. */
  readonly gasBacklog: bigint;
  /** ArbOS's estimate of the L1 base fee, wei. */
  readonly l1BaseFeeEstimate: bigint;
}

export interface NitroUnavailable {
  readonly available: false;
  readonly reason: string;
}

export type NitroChainInfo = NitroChainParams | NitroUnavailable;

// -- ABIs -------------------------------------------------------------------------------------

const ARTIFACTS = '@arbitrum/nitro-contracts/build/contracts/src/precompiles';

function loadAbi(contract: string): Abi {
  // A JSON artifact read through require: JSON imports still warn as experimental on Node 20.
  const require = createRequire(import.meta.url);
  const artifact = require(`${ARTIFACTS}/${contract}.sol/${contract}.json`) as { abi?: unknown };
  if (!Array.isArray(artifact.abi)) throw new Error(`@arbitrum/nitro-contracts: ${contract}.json has no ABI`);
  return artifact.abi as Abi;
}

function hasFunction(abi: Abi, name: string): boolean {
  return abi.some((item): item is AbiFunction => item.type === 'function' && item.name === name);
}

let abis: { arbSys: Abi; arbGasInfo: Abi } | undefined;

function precompileAbis(): { arbSys: Abi; arbGasInfo: Abi } {
  if (abis) return abis;
  const loaded = { arbSys: loadAbi('ArbSys'), arbGasInfo: loadAbi('ArbGasInfo') };
  for (const [abi, contract, fns] of [
    [loaded.arbSys, 'ArbSys', ['arbOSVersion', 'arbBlockNumber']],
    [loaded.arbGasInfo, 'ArbGasInfo', ['getGasAccountingParams', 'getMinimumGasPrice', 'getGasBacklog', 'getL1BaseFeeEstimate']],
  ] as const) {
    for (const fn of fns) if (!hasFunction(abi, fn)) throw new Error(`@arbitrum/nitro-contracts: ${contract} has no ${fn}()`);
  }
  abis = loaded;
  return abis;
}

// -- Reads ------------------------------------------------------------------------------------

type Read = { readonly kind: 'value'; readonly value: unknown } | { readonly kind: 'no-code' } | { readonly kind: 'reverted'; readonly message: string };

async function readPrecompile(client: RpcClient, to: Address, abi: Abi, functionName: string): Promise<Read> {
  const data = encodeFunctionData({ abi, functionName });
  let answer: Hex;
  try {
    answer = await client.call({ to, data });
  } catch (e) {
    // A precompile method the chain's ArbOS version lacks reverts; anything else is a real failure.
    if (isRpcError(e) && e.errorClass === 'execution_reverted') return { kind: 'reverted', message: e.nodeMessage ?? e.shortMessage };
    throw e;
  }
  if (answer === '0x') return { kind: 'no-code' };
  try {
    return { kind: 'value', value: decodeFunctionResult({ abi, functionName, data: answer }) };
  } catch (e) {
    throw undecodable(client, `${functionName}() at ${to}`, answer, e);
  }
}

function undecodable(client: RpcClient, what: string, answer: unknown, cause?: unknown): RpcError {
  const shown = typeof answer === 'string' && answer.length > 80 ? `${answer.slice(0, 77)}...` : String(answer);
  return malformedResponse({ method: 'eth_call', url: client.url }, `${what} answered ${shown}, which does not decode per the nitro-contracts ABI`, cause);
}

function uint(value: unknown, what: string): bigint {
  // decodeFunctionResult gives a bigint for every uintN output; anything else is a wrong ABI.
  if (typeof value !== 'bigint') throw new Error(`${what} did not decode to an integer (ABI mismatch)`);
  return value;
}

function uintTriple(value: unknown, what: string): readonly [bigint, bigint, bigint] {
  if (!Array.isArray(value) || value.length !== 3) throw new Error(`${what} did not decode to three integers (ABI mismatch)`);
  return [uint(value[0], what), uint(value[1], what), uint(value[2], what)];
}

class Unavailable extends Error {}

function required(read: Read, what: string): unknown {
  if (read.kind === 'value') return read.value;
  if (read.kind === 'no-code') throw new Unavailable(`${what} answered no data: the precompile is missing on this chain`);
  throw new Unavailable(`${what} reverted: ${read.message}`);
}

/** ArbGasInfo.getGasBacklog(), for periodic sampling; undefined on a chain without the precompile. */
export async function readGasBacklog(client: RpcClient): Promise<bigint | undefined> {
  const read = await readPrecompile(client, ARB_GAS_INFO_ADDRESS, precompileAbis().arbGasInfo, 'getGasBacklog');
  return read.kind === 'value' ? uint(read.value, 'ArbGasInfo.getGasBacklog()') : undefined;
}

/** The chain's Nitro parameters, or why there are none. RPC failures are thrown as RpcError. */
export async function readNitroChainInfo(client: RpcClient): Promise<NitroChainInfo> {
  const { arbSys, arbGasInfo } = precompileAbis();
  // ArbSys first: its absence is the plain "not a Nitro chain" answer, without five more calls.
  const version = await readPrecompile(client, ARB_SYS_ADDRESS, arbSys, 'arbOSVersion');
  if (version.kind === 'no-code') return { available: false, reason: NO_PRECOMPILES_REASON };
  try {
    const rawVersion = uint(required(version, 'ArbSys.arbOSVersion()'), 'ArbSys.arbOSVersion()');
    const [blockNumber, params, minimumGasPrice, backlog, l1BaseFee, maxBlockGasLimit] = await Promise.all([
      readPrecompile(client, ARB_SYS_ADDRESS, arbSys, 'arbBlockNumber'),
      readPrecompile(client, ARB_GAS_INFO_ADDRESS, arbGasInfo, 'getGasAccountingParams'),
      readPrecompile(client, ARB_GAS_INFO_ADDRESS, arbGasInfo, 'getMinimumGasPrice'),
      readPrecompile(client, ARB_GAS_INFO_ADDRESS, arbGasInfo, 'getGasBacklog'),
      readPrecompile(client, ARB_GAS_INFO_ADDRESS, arbGasInfo, 'getL1BaseFeeEstimate'),
      hasFunction(arbGasInfo, 'getMaxBlockGasLimit')
        ? readPrecompile(client, ARB_GAS_INFO_ADDRESS, arbGasInfo, 'getMaxBlockGasLimit')
        : Promise.resolve<Read>({ kind: 'no-code' }),
    ]);
    const [speedLimitPerSecond, gasPoolMax, maxTxGasLimit] = uintTriple(required(params, 'ArbGasInfo.getGasAccountingParams()'), 'ArbGasInfo.getGasAccountingParams()');
    return {
      available: true,
      arbOSVersion: Number(rawVersion - ARBOS_VERSION_OFFSET),
      arbBlockNumber: uint(required(blockNumber, 'ArbSys.arbBlockNumber()'), 'ArbSys.arbBlockNumber()'),
      speedLimitPerSecond,
      gasPoolMax,
      maxTxGasLimit,
      // Added in ArbOS 50: older chains revert (or answer nothing); that is "unknown", not an error.
      maxBlockGasLimit: maxBlockGasLimit.kind === 'value' ? uint(maxBlockGasLimit.value, 'ArbGasInfo.getMaxBlockGasLimit()') : undefined,
      minimumGasPrice: uint(required(minimumGasPrice, 'ArbGasInfo.getMinimumGasPrice()'), 'ArbGasInfo.getMinimumGasPrice()'),
      gasBacklog: uint(required(backlog, 'ArbGasInfo.getGasBacklog()'), 'ArbGasInfo.getGasBacklog()'),
      l1BaseFeeEstimate: uint(required(l1BaseFee, 'ArbGasInfo.getL1BaseFeeEstimate()'), 'ArbGasInfo.getL1BaseFeeEstimate()'),
    };
  } catch (e) {
    if (e instanceof Unavailable) return { available: false, reason: e.message };
    throw e;
  }
}
