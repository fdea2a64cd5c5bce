// What each transaction is: one builder per built-in template turns the edge's PRNG, the
// sender and recipient the engine chose, the devnet contracts and the template's parameters
// into a TxIntent (target, value, calldata, gas limit, compute gas). Builders run once per
// transaction, so calldata is assembled as hex text from selectors computed once at load and
// argument words cached per parameter value, without going through viem's ABI encoder.
// Every calldata GasHammer generates carries the marker GHMR so its transactions can be told
// apart on chain: after the ABI-encoded arguments of a contract call (the test contracts ignore
// trailing calldata), at the start of a calldata-heavy payload.

import { toFunctionSelector, type Abi, type AbiFunction, type Address, type Hex } from 'viem';
import { ErrorCodes } from '../errors/codes.js';
import { GasHammerError } from '../errors/gashammer-error.js';
import { GasBurner, GasHammerToken, StorageWriter } from '../devnet/contract-artifacts.js';
import type { TestContracts } from '../devnet/contracts.js';
import type { Prng } from './prng.js';
import { TEMPLATE_CATALOG, type TemplateName, type TemplateParams } from './template-catalog.js';

/** "GHMR": the 4 bytes every generated calldata carries. */
export const CALLDATA_MARKER: Hex = '0x47484d52';
const MARKER = CALLDATA_MARKER.slice(2);

/** The gas figures a template's transactions are sent with: calibrated, or static for offline plans. */
export interface TemplateCalibration {
  /** The transaction's gas limit: the estimate plus a safety margin (see calibration.ts). */
  readonly gasLimit: bigint;
  /** Compute gas (no L1 component) the engine counts against the gas budget for each transaction. */
  readonly computeGas: bigint;
}

/** One transaction, ready to be given a nonce and fees and signed. */
export interface TxIntent {
  readonly template: TemplateName;
  readonly to: Address;
  readonly value: bigint;
  readonly data: Hex;
  readonly gasLimit: bigint;
  readonly computeGas: bigint;
}

export interface TemplateContext {
  /** The edge's stream; builders draw from it in a fixed order (see each builder). */
  readonly prng: Prng;
  readonly sender: Address;
  /** Another GasHammer account, chosen by the engine. */
  readonly recipient: Address;
  readonly contracts: TestContracts;
  /** The template's parameters; missing ones take the catalogue's defaults. */
  readonly params: TemplateParams;
  readonly calibration: TemplateCalibration;
}

export type TemplateBuilder = (ctx: TemplateContext) => TxIntent;

// -- Encoding ---------------------------------------------------------------------------------

function selectorOf(abi: Abi, name: string): string {
  const fn = abi.find((item): item is AbiFunction => item.type === 'function' && item.name === name);
  if (!fn) throw new Error(`contract ABI has no ${name}()`);
  return toFunctionSelector(fn).slice(2);
}

const SELECTORS = {
  transfer: selectorOf(GasHammerToken.abi, 'transfer'),
  approve: selectorOf(GasHammerToken.abi, 'approve'),
  write: selectorOf(StorageWriter.abi, 'write'),
  writeMany: selectorOf(StorageWriter.abi, 'writeMany'),
  burn: selectorOf(GasBurner.abi, 'burn'),
} as const;

const ADDRESS_PAD = '0'.repeat(24);
const MAX_UINT256 = (1n << 256n) - 1n;

function badParam(template: TemplateName, message: string): GasHammerError {
  return new GasHammerError(ErrorCodes.ScenarioSchema, `template '${template}': ${message}`);
}

/** An address as a 32-byte ABI word (no 0x). */
function addressWord(template: TemplateName, address: Address): string {
  if (address.length !== 42) throw badParam(template, `'${address}' is not a 20-byte hex address`);
  return ADDRESS_PAD + address.slice(2).toLowerCase();
}

function uintWord(template: TemplateName, param: string, value: bigint): string {
  if (value < 0n || value > MAX_UINT256) throw badParam(template, `${param} ${value} does not fit in a uint256`);
  return value.toString(16).padStart(64, '0');
}

/**
 * The ABI word of a parameter, remembered for the last value seen: parameters are fixed per
 * template in a run, so the bigint-to-hex conversion happens once rather than per transaction.
 */
function cachedWord(template: TemplateName, param: string): (value: bigint) => string {
  let last: bigint | undefined;
  let word = '';
  return (value) => {
    if (value !== last) {
      word = uintWord(template, param, value);
      last = value;
    }
    return word;
  };
}

function wholeNumber(template: TemplateName, param: string, value: number, min: number): bigint {
  if (!Number.isSafeInteger(value) || value < min) throw badParam(template, `${param} must be a whole number of at least ${min}, got ${value}`);
  return BigInt(value);
}

/** Scratch space for PRNG bytes; builders are synchronous, so one buffer serves them all. */
let scratch = Buffer.alloc(4_096);
function scratchOf(size: number): Buffer {
  if (scratch.length < size) scratch = Buffer.alloc(Math.max(size, scratch.length * 2));
  return scratch.subarray(0, size);
}

function intent(template: TemplateName, ctx: TemplateContext, to: Address, value: bigint, data: Hex): TxIntent {
  return { template, to, value, data, gasLimit: ctx.calibration.gasLimit, computeGas: ctx.calibration.computeGas };
}

// -- Builders ---------------------------------------------------------------------------------

const defaults = (name: TemplateName): TemplateParams => TEMPLATE_CATALOG[name].defaults;

/** value_wei to the recipient, no calldata: exactly 21,000 compute gas. No PRNG draws. */
function simpleTransfer(ctx: TemplateContext): TxIntent {
  const value = ctx.params.value_wei ?? defaults('simple-transfer').value_wei ?? 1n;
  if (value < 0n) throw badParam('simple-transfer', `value_wei ${value} is negative`);
  return intent('simple-transfer', ctx, ctx.recipient, value, '0x');
}

/** Zero value to the sender itself, no calldata. No PRNG draws. */
function noop(ctx: TemplateContext): TxIntent {
  return intent('noop', ctx, ctx.sender, 0n, '0x');
}

const transferAmountWord = cachedWord('erc20-transfer', 'amount');
/** token.transfer(recipient, amount) ‖ GHMR. No PRNG draws. */
function erc20Transfer(ctx: TemplateContext): TxIntent {
  const amount = transferAmountWord(ctx.params.amount ?? defaults('erc20-transfer').amount ?? 1n);
  const data = `0x${SELECTORS.transfer}${addressWord('erc20-transfer', ctx.recipient)}${amount}${MARKER}` as const;
  return intent('erc20-transfer', ctx, ctx.contracts.token, 0n, data);
}

const approveAmountWord = cachedWord('erc20-approve', 'amount');
/** token.approve(recipient, amount) ‖ GHMR. No PRNG draws. */
function erc20Approve(ctx: TemplateContext): TxIntent {
  const amount = approveAmountWord(ctx.params.amount ?? defaults('erc20-approve').amount ?? 1n);
  const data = `0x${SELECTORS.approve}${addressWord('erc20-approve', ctx.recipient)}${amount}${MARKER}` as const;
  return intent('erc20-approve', ctx, ctx.contracts.token, 0n, data);
}

/**
 * Two random 32-byte words (16 PRNG draws): a slot anywhere in the 2^256 space, so in practice
 * always a fresh one, and a value whose lowest bit is forced to 1 so the write is never a
 * zero-to-zero no-op (which would cost a fraction of what calibration measured).
 */
function randomSlotAndValue(prng: Prng, clearTopBit: boolean): string {
  const words = scratchOf(64);
  prng.fillBytes(words, 0, 64);
  // writeMany checks firstSlot + count for overflow: a slot below 2^255 can never overflow.
  if (clearTopBit) words[0]! &= 0x7f;
  words[63]! |= 0x01;
  return words.toString('hex');
}

/** StorageWriter.write(slot, value) ‖ GHMR, slot and value from the PRNG (16 draws). */
function storageWrite(ctx: TemplateContext): TxIntent {
  const words = randomSlotAndValue(ctx.prng, false);
  return intent('storage-write', ctx, ctx.contracts.storageWriter, 0n, `0x${SELECTORS.write}${words}${MARKER}`);
}

const slotsWord = cachedWord('storage-write-heavy', 'slots');
/** StorageWriter.writeMany(firstSlot, slots, value) ‖ GHMR; firstSlot < 2^255 and value from the PRNG (16 draws). */
function storageWriteHeavy(ctx: TemplateContext): TxIntent {
  const words = randomSlotAndValue(ctx.prng, true);
  const count = slotsWord(wholeNumber('storage-write-heavy', 'slots', ctx.params.slots ?? defaults('storage-write-heavy').slots ?? 10, 1));
  // Argument order: firstSlot, count, value.
  const data = `0x${SELECTORS.writeMany}${words.slice(0, 64)}${count}${words.slice(64)}${MARKER}` as const;
  return intent('storage-write-heavy', ctx, ctx.contracts.storageWriter, 0n, data);
}

const iterationsWord = cachedWord('compute-heavy', 'iterations');
/** GasBurner.burn(iterations) ‖ GHMR. No PRNG draws. */
function computeHeavy(ctx: TemplateContext): TxIntent {
  const iterations = iterationsWord(wholeNumber('compute-heavy', 'iterations', ctx.params.iterations ?? defaults('compute-heavy').iterations ?? 1_000, 0));
  return intent('compute-heavy', ctx, ctx.contracts.gasBurner, 0n, `0x${SELECTORS.burn}${iterations}${MARKER}`);
}

/**
 * size_bytes of calldata to the recipient: GHMR, then size_bytes − 4 bytes from the PRNG
 * (ceil((size_bytes − 4) / 4) draws). Random bytes are almost all non-zero, the dearest kind.
 */
function calldataHeavy(ctx: TemplateContext): TxIntent {
  const size = ctx.params.size_bytes ?? defaults('calldata-heavy').size_bytes ?? 4_096;
  if (!Number.isSafeInteger(size) || size < 4) throw badParam('calldata-heavy', `size_bytes must be a whole number of at least 4 (the marker), got ${size}`);
  const payload = scratchOf(size);
  payload.write(MARKER, 0, 'hex');
  ctx.prng.fillBytes(payload, 4, size - 4);
  return intent('calldata-heavy', ctx, ctx.recipient, 0n, `0x${payload.toString('hex')}`);
}

export const TEMPLATE_BUILDERS: Readonly<Record<TemplateName, TemplateBuilder>> = {
  'simple-transfer': simpleTransfer,
  noop,
  'erc20-transfer': erc20Transfer,
  'erc20-approve': erc20Approve,
  'storage-write': storageWrite,
  'storage-write-heavy': storageWriteHeavy,
  'compute-heavy': computeHeavy,
  'calldata-heavy': calldataHeavy,
};

export function buildTxIntent(template: TemplateName, ctx: TemplateContext): TxIntent {
  return TEMPLATE_BUILDERS[template](ctx);
}

/** Whether calldata carries GHMR where GasHammer puts it: at the end of a call, or at the start of a payload. */
export function carriesCalldataMarker(data: Hex): boolean {
  const hex = data.toLowerCase();
  return hex.length >= 10 && (hex.endsWith(MARKER) || hex.startsWith(MARKER, 2));
}

