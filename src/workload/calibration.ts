// Gas calibration: before a run, each template's representative transaction is estimated once
// on the chain under test. The estimate plus a safety margin becomes the gas LIMIT every
// transaction of the template is sent with; the estimate's compute part (on Nitro, without
// the L1 "poster" component, read from NodeInterface.gasEstimateComponents) becomes the
// COMPUTE gas the engine counts against the gas budget, because the speed limit and the block
// gas limit meter compute gas only. A template that cannot be estimated stops the run before it
// starts. Offline (`gashammer plan`), staticCalibration stands in with the catalogue's numbers.

import { createRequire } from 'node:module';
import { decodeErrorResult, decodeFunctionResult, encodeFunctionData, isHex, type Abi, type AbiFunction, type Address, type Hex } from 'viem';
import { isRpcError, malformedResponse } from '../chain/rpc-errors.js';
import type { RpcClient } from '../chain/rpc-client.js';
import { GasBurner, GasHammerToken, StorageWriter } from '../devnet/contract-artifacts.js';
import type { TestContracts } from '../devnet/contracts.js';
import { ErrorCodes } from '../errors/codes.js';
import { GasHammerError } from '../errors/gashammer-error.js';
import { createPrng } from './prng.js';
import { TEMPLATE_CATALOG, type TemplateName, type TemplateParams } from './template-catalog.js';
import { buildTxIntent, type TemplateCalibration, type TxIntent } from './templates.js';

/** Nitro's virtual NodeInterface: no code lives there; the node answers eth_call to it itself. */
export const NODE_INTERFACE_ADDRESS: Address = '0x00000000000000000000000000000000000000C8';

/**
 * Margin on the compute part of the estimate. The estimate is exact for the calibrated
 * transaction in the state it saw; live transactions differ a little (random calldata with
 * more or fewer zero bytes, random slots, a state moved on by other transactions). Kept small
 * on purpose: before ArbOS 50 Nitro's block builder reserves gasLimit − L1 gas of the block's
 * compute gas per transaction, so every unused unit of margin is room another transaction
 * could have had.
 */
export const COMPUTE_MARGIN_PERCENT = 10n;

/**
 * Margin on the L1 component (Nitro only). The L1 gas a transaction is charged is its L1 data
 * fee divided by the L2 base fee at inclusion; the L1 price per unit moves during a run, and a
 * limit below compute + L1 gas is refused with "intrinsic gas too low". Nitro's estimate is
 * already padded (10% on the L1 price, and an L2 base fee assumed 1/8 lower when above the
 * minimum); this covers a further rise. Long runs should recalibrate when
 * intrinsic_gas_too_low rejections appear.
 */
export const L1_MARGIN_PERCENT = 25n;

/**
 * Extra gas for one storage slot written from zero that calibration may have seen already
 * written: a cold SSTORE from zero to non-zero costs 22,100, rewriting a non-zero slot 5,000 and
 * writing the value it already holds 2,200 (EIP-2929/2200/3529), so up to 19,900 more.
 */
export const FRESH_SLOT_GAS = 20_000n;

/**
 * Slots per transaction whose prior state the workload cannot know, so the limit must also
 * cover them being fresh: the recipient's token balance (zero until its first transfer) and
 * the sender→recipient allowance. The storage templates write random slots, always fresh in
 * calibration as in the run, so the estimate already pays for them.
 */
export const STATE_DEPENDENT_SLOTS: Readonly<Record<TemplateName, bigint>> = {
  'simple-transfer': 0n,
  noop: 0n,
  'erc20-transfer': 1n,
  'erc20-approve': 1n,
  'storage-write': 0n,
  'storage-write-heavy': 0n,
  'compute-heavy': 0n,
  'calldata-heavy': 0n,
};

/**
 * Offline plans: gas limit = this multiple of the catalogue's compute estimate. Nothing is
 * estimated offline and the catalogue is rough (it sizes plans, it never limits a live
 * transaction); in particular it prices calldata at 16 gas per non-zero byte, while a chain
 * with EIP-7623's calldata floor (anvil's default hardfork) charges up to 40, 2.5 times as
 * much. Three times the catalogue covers that. A run never uses these numbers: it calibrates.
 */
export const STATIC_GAS_LIMIT_MULTIPLE = 3n;

/** The fixed seed of calibration's representative transactions (so calibration is repeatable). */
export const CALIBRATION_SEED = '4748414d4d45522063616c6962726174'; // "GHAMMER calibrat"

export interface CalibrationTemplate {
  readonly name: TemplateName;
  readonly params: TemplateParams;
}

export interface CalibrateOptions {
  readonly client: RpcClient;
  /** Sends the representative transactions: must hold ETH for gas and value, and test tokens. */
  readonly from: Address;
  readonly contracts: TestContracts;
  readonly templates: readonly CalibrationTemplate[];
  /** Another GasHammer account, as the engine would choose one (funded with tokens like the rest). */
  readonly recipient: Address;
}

/** A calibration with the figures it came from. */
export interface CalibratedTemplate extends TemplateCalibration {
  /** eth_estimateGas of the representative transaction (on Nitro including the L1 component). */
  readonly estimate: bigint;
  /** The L1 component NodeInterface reported; 0 where there is none (not a Nitro chain). */
  readonly l1Gas: bigint;
  /** Where computeGas came from. */
  readonly computeSource: 'node-interface' | 'estimate';
}

/** The gas limit for an estimate whose compute and L1 parts are known. */
export function calibratedGasLimit(template: TemplateName, estimate: bigint, computeGas: bigint, l1Gas: bigint): bigint {
  const ceilPercent = (gas: bigint, percent: bigint): bigint => (gas * percent + 99n) / 100n;
  return estimate + ceilPercent(computeGas, COMPUTE_MARGIN_PERCENT) + FRESH_SLOT_GAS * STATE_DEPENDENT_SLOTS[template] + ceilPercent(l1Gas, L1_MARGIN_PERCENT);
}

/** Offline stand-in from the catalogue's estimates: computeGas = the estimate, gasLimit = STATIC_GAS_LIMIT_MULTIPLE × it. */
export function staticCalibration(templates: readonly CalibrationTemplate[]): Map<TemplateName, TemplateCalibration> {
  const out = new Map<TemplateName, TemplateCalibration>();
  for (const t of distinctTemplates(templates)) {
    const computeGas = BigInt(Math.ceil(TEMPLATE_CATALOG[t.name].estimatedGas({ ...TEMPLATE_CATALOG[t.name].defaults, ...t.params })));
    out.set(t.name, { gasLimit: computeGas * STATIC_GAS_LIMIT_MULTIPLE, computeGas });
  }
  return out;
}

/**
 * Estimates every template once (concurrently) and returns its gas limit and compute gas.
 * Throws a GasHammerError naming the template when one cannot be estimated: GH-E107 when its
 * representative transaction reverts, else the code of the RPC failure (GH-E106 for a `from`
 * that cannot pay, ...). No template is left uncalibrated.
 */
export async function calibrateTemplates(options: CalibrateOptions): Promise<Map<TemplateName, CalibratedTemplate>> {
  const templates = distinctTemplates(options.templates);
  const nitro = await hasNodeInterface(options.client);
  const results = await Promise.allSettled(templates.map((t) => calibrateOne(options, t, nitro)));
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (failures.length > 0) {
    const [first] = failures;
    if (failures.length === 1 || !(first instanceof GasHammerError)) throw first;
    const others = failures.slice(1).map((e) => (e instanceof GasHammerError ? e.shortMessage : String(e)));
    throw new GasHammerError(first.info, first.shortMessage, {
      details: [first.details, `${others.length} more template(s) failed too: ${others.join('; ')}`].filter(Boolean).join(' '),
      hint: first.hint,
      cause: first,
    });
  }
  const out = new Map<TemplateName, CalibratedTemplate>();
  for (const [i, t] of templates.entries()) out.set(t.name, (results[i] as PromiseFulfilledResult<CalibratedTemplate>).value);
  return out;
}

// -- One template -----------------------------------------------------------------------------

/** Before calibration there is nothing to put in a TxIntent's gas fields; they are not used. */
const UNCALIBRATED: TemplateCalibration = { gasLimit: 0n, computeGas: 0n };

function representative(options: CalibrateOptions, t: CalibrationTemplate): TxIntent {
  // A fresh stream per template: results do not depend on the order templates are listed in.
  return buildTxIntent(t.name, {
    prng: createPrng(CALIBRATION_SEED),
    sender: options.from,
    recipient: options.recipient,
    contracts: options.contracts,
    params: t.params,
    calibration: UNCALIBRATED,
  });
}

async function calibrateOne(options: CalibrateOptions, t: CalibrationTemplate, nitro: boolean): Promise<CalibratedTemplate> {
  const tx = representative(options, t);
  const request = { from: options.from, to: tx.to, value: tx.value, data: tx.data };
  let estimate: bigint;
  try {
    estimate = await options.client.estimateGas(request);
  } catch (e) {
    throw calibrationFailure(t.name, tx, 'eth_estimateGas', e);
  }
  const components = nitro
    ? await gasEstimateComponents(options.client, options.from, tx).catch((e: unknown) => {
        throw calibrationFailure(t.name, tx, 'NodeInterface.gasEstimateComponents', e);
      })
    : undefined;
  if (components === undefined) {
    // No NodeInterface (anvil, any non-Nitro chain): no L1 component, the estimate is compute.
    return { estimate, computeGas: estimate, l1Gas: 0n, computeSource: 'estimate', gasLimit: calibratedGasLimit(t.name, estimate, estimate, 0n) };
  }
  const computeGas = components.gasEstimate - components.gasEstimateForL1;
  return {
    estimate,
    computeGas,
    l1Gas: components.gasEstimateForL1,
    computeSource: 'node-interface',
    gasLimit: calibratedGasLimit(t.name, estimate, computeGas, components.gasEstimateForL1),
  };
}

// -- NodeInterface ----------------------------------------------------------------------------

let nodeInterfaceAbi: Abi | undefined;

function nodeInterface(): Abi {
  if (nodeInterfaceAbi) return nodeInterfaceAbi;
  // A JSON artifact read through require, as nitro-info.ts does: JSON imports warn on Node 20.
  const require = createRequire(import.meta.url);
  const artifact = require('@arbitrum/nitro-contracts/build/contracts/src/node-interface/NodeInterface.sol/NodeInterface.json') as { abi?: unknown };
  const abi = artifact.abi;
  for (const fn of ['gasEstimateComponents', 'nitroGenesisBlock']) {
    if (!Array.isArray(abi) || !(abi as Abi).some((i): i is AbiFunction => i.type === 'function' && i.name === fn)) {
      throw new Error(`@arbitrum/nitro-contracts: NodeInterface.json has no ${fn}()`);
    }
  }
  nodeInterfaceAbi = abi as Abi;
  return nodeInterfaceAbi;
}

/**
 * Whether the chain answers for NodeInterface: nitroGenesisBlock() is a plain read, so only
 * the node's presence decides the answer. Without it (anvil, any non-Nitro chain) the eth_call
 * answers "0x", the answer of an address without code.
 */
async function hasNodeInterface(client: RpcClient): Promise<boolean> {
  try {
    return (await client.call({ to: NODE_INTERFACE_ADDRESS, data: encodeFunctionData({ abi: nodeInterface(), functionName: 'nitroGenesisBlock' }) })) !== '0x';
  } catch (e) {
    // Some contract at 0xC8 that is not NodeInterface: no L1 component to read here either.
    if (isRpcError(e) && e.errorClass === 'execution_reverted') return false;
    throw e;
  }
}

interface GasComponents {
  readonly gasEstimate: bigint;
  readonly gasEstimateForL1: bigint;
}

/**
 * NodeInterface.gasEstimateComponents(to, false, data), called as `from` with the transaction's
 * value (Nitro estimates the message as that caller sends it). undefined if it answers nothing.
 */
async function gasEstimateComponents(client: RpcClient, from: Address, tx: TxIntent): Promise<GasComponents | undefined> {
  const abi = nodeInterface();
  const answer = await client.call({
    from,
    to: NODE_INTERFACE_ADDRESS,
    value: tx.value,
    data: encodeFunctionData({ abi, functionName: 'gasEstimateComponents', args: [tx.to, false, tx.data] }),
  });
  if (answer === '0x') return undefined;
  let decoded: unknown;
  try {
    decoded = decodeFunctionResult({ abi, functionName: 'gasEstimateComponents', data: answer });
  } catch (e) {
    throw malformedResponse({ method: 'eth_call', url: client.url }, `NodeInterface.gasEstimateComponents answered ${shorten(answer)}, which does not decode per the nitro-contracts ABI`, e);
  }
  const [gasEstimate, gasEstimateForL1] = Array.isArray(decoded) ? decoded : [];
  if (typeof gasEstimate !== 'bigint' || typeof gasEstimateForL1 !== 'bigint' || gasEstimateForL1 > gasEstimate) {
    throw malformedResponse({ method: 'eth_call', url: client.url }, `NodeInterface.gasEstimateComponents answered ${shorten(answer)}: no sensible (gasEstimate, gasEstimateForL1)`);
  }
  return { gasEstimate, gasEstimateForL1 };
}

// -- Errors -----------------------------------------------------------------------------------

/** The contract a template calls, to decode its revert data (ERC20InsufficientBalance, ...). */
const TARGET_ABIS: Readonly<Partial<Record<TemplateName, Abi>>> = {
  'erc20-transfer': GasHammerToken.abi,
  'erc20-approve': GasHammerToken.abi,
  'storage-write': StorageWriter.abi,
  'storage-write-heavy': StorageWriter.abi,
  'compute-heavy': GasBurner.abi,
};

function shorten(text: string, max = 80): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

function revertReason(template: TemplateName, rpcData: unknown, nodeMessage: string | undefined): string {
  const data = typeof rpcData === 'string' ? rpcData : typeof rpcData === 'object' && rpcData !== null ? (rpcData as { data?: unknown }).data : undefined;
  if (typeof data === 'string' && isHex(data) && data.length >= 10) {
    try {
      // Error(string) and Panic(uint256) decode with any ABI; custom errors with the target's.
      const decoded = decodeErrorResult({ abi: TARGET_ABIS[template] ?? [], data: data as Hex });
      const args = (decoded.args ?? []).map((a) => String(a)).join(', ');
      return `${decoded.errorName}(${args})`;
    } catch {
      return `revert data ${shorten(data)}`;
    }
  }
  return nodeMessage ?? 'no reason given';
}

function calibrationFailure(template: TemplateName, tx: TxIntent, step: string, cause: unknown): unknown {
  if (!isRpcError(cause)) return cause;
  const details = `representative transaction: to ${tx.to}, value ${tx.value} wei, ${(tx.data.length - 2) / 2} bytes of calldata (selector ${tx.data.slice(0, 10)})`;
  if (cause.errorClass === 'execution_reverted') {
    return new GasHammerError(ErrorCodes.ExecutionReverted, `template '${template}' cannot be calibrated: its transaction reverts (${revertReason(template, cause.rpcData, cause.nodeMessage)})`, {
      details,
      hint: 'check that the sending account holds ETH and test tokens and that the test contracts are deployed at the configured addresses; the run cannot start with an uncalibrated template',
      cause,
    });
  }
  return new GasHammerError(cause.info, `template '${template}' cannot be calibrated: ${step} failed: ${cause.shortMessage}`, { details, cause });
}

// -- Template list ----------------------------------------------------------------------------

/** Equal once the catalogue's defaults fill what either leaves out. */
function sameParams(name: TemplateName, a: TemplateParams, b: TemplateParams): boolean {
  const defaults = TEMPLATE_CATALOG[name].defaults;
  const full = (p: TemplateParams): TemplateParams => ({ ...defaults, ...p });
  const [x, y] = [full(a), full(b)];
  const keys = new Set([...Object.keys(x), ...Object.keys(y)] as (keyof TemplateParams)[]);
  return [...keys].every((k) => x[k] === y[k]);
}

/**
 * One entry per template name. The result is keyed by name, so a template listed twice must
 * have the same parameters both times; with different ones it could not be calibrated for both.
 */
function distinctTemplates(templates: readonly CalibrationTemplate[]): CalibrationTemplate[] {
  const byName = new Map<TemplateName, CalibrationTemplate>();
  for (const t of templates) {
    const seen = byName.get(t.name);
    if (!seen) byName.set(t.name, t);
    else if (!sameParams(t.name, seen.params, t.params)) {
      throw new GasHammerError(ErrorCodes.ScenarioSemantic, `template '${t.name}' is listed twice with different parameters; calibration keeps one set per template`, {
        hint: 'list each template once, or give both entries the same params',
      });
    }
  }
  return [...byName.values()];
}
