// A small real run for the oracle's tests: the embedded devnet, funded load accounts, signed
// transactions sent and waited for, and the observations GasHammer would have made of them —
// built from the real receipts and the including blocks' base fees, with the nonce, value, gas
// limit and template the transaction was signed with (what TxSubmitted records).

import { encodeFunctionData, hexToBytes, parseEther, type Abi, type Address, type Hash, type Hex } from 'viem';
import { createRpcClient, type RpcClient, type TxReceipt } from '../../src/chain/rpc-client.js';
import { startEmbeddedDevnet, type EmbeddedDevnet } from '../../src/devnet/embedded-devnet.js';
import { DEVNET_FEE_POLICY } from '../../src/edge/fees.js';
import { signEip1559 } from '../../src/edge/signer.js';
import { readChainSnapshot } from '../../src/oracle/chain-snapshot.js';
import type { ChainSnapshot, IncludedTx } from '../../src/oracle/observations.js';
import type { TelemetryEvent } from '../../src/telemetry/events.js';
import { deriveAccounts, type GasHammerAccount } from '../../src/workload/accounts.js';
import { fundAccounts } from '../../src/workload/funding.js';

const TEST_MNEMONIC = 'test test test test test test test test test test test junk';
/** Not a GasHammer account: where "outside" transfers go. */
export const OUTSIDE: Address = '0x000000000000000000000000000000000000bEEF';

export interface OracleDevnet {
  readonly devnet: EmbeddedDevnet;
  readonly client: RpcClient;
  readonly accounts: readonly GasHammerAccount[];
  /** Lowercase, as OracleContext wants them. */
  readonly addresses: readonly string[];
  /** Next nonce per sender (lowercase address), so sends in one test file never collide. */
  readonly nonces: Map<string, number>;
}

export async function startOracleDevnet(accountCount: number): Promise<OracleDevnet> {
  const devnet = await startEmbeddedDevnet();
  try {
    const accounts = deriveAccounts({ mnemonic: TEST_MNEMONIC, first: 0, count: accountCount });
    await fundAccounts({ rpcUrl: devnet.rpcUrl, chainId: devnet.chainId, funderKey: devnet.faucet.privateKey, accounts, targetWei: parseEther('10') });
    const client = createRpcClient({ url: devnet.rpcUrl });
    return { devnet, client, accounts, addresses: accounts.map((a) => a.address.toLowerCase()), nonces: new Map() };
  } catch (e) {
    await devnet.stop();
    throw e;
  }
}

/** The run's accounts at the current head (or `blockNumber`). */
export async function snapshot(run: OracleDevnet, blockNumber?: bigint): Promise<ChainSnapshot> {
  return readChainSnapshot(run.client, run.addresses, blockNumber ?? (await run.client.blockNumber()));
}

export interface Sender {
  readonly address: Address;
  readonly privateKey: Uint8Array;
}

export interface Send {
  readonly from: Sender;
  readonly to: Address;
  readonly value?: bigint;
  readonly data?: Hex;
  /** Default: eth_estimateGas. */
  readonly gas?: bigint;
  /** What the workload would have labelled it (TxSubmitted.template). */
  readonly template?: string;
}

export interface SentTx {
  readonly hash: Hash;
  readonly send: Send;
  readonly nonce: number;
  readonly gas: bigint;
  readonly value: bigint;
}

export function faucetSender(run: OracleDevnet): Sender {
  return { address: run.devnet.faucet.address, privateKey: hexToBytes(run.devnet.faucet.privateKey) };
}

export function call(abi: Abi, functionName: string, args: readonly unknown[]): Hex {
  return encodeFunctionData({ abi, functionName, args } as Parameters<typeof encodeFunctionData>[0]);
}

/** Signs and sends every transaction (in order; nonces per sender follow on), then waits for all receipts. */
export async function sendAll(run: OracleDevnet, sends: readonly Send[]): Promise<SentTx[]> {
  const sent: SentTx[] = [];
  for (const send of sends) {
    const key = send.from.address.toLowerCase();
    const nonce = run.nonces.get(key) ?? (await run.client.getTransactionCount(send.from.address, 'pending'));
    run.nonces.set(key, nonce + 1);
    const value = send.value ?? 0n;
    const gas =
      send.gas ?? (await run.client.estimateGas({ from: send.from.address, to: send.to, value, ...(send.data === undefined ? {} : { data: send.data }) }));
    const signed = signEip1559(
      { chainId: run.devnet.chainId, nonce, ...DEVNET_FEE_POLICY, gas, to: send.to, value, data: send.data ?? '0x' },
      send.from.privateKey,
    );
    await run.client.sendRawTransaction(signed.rawHex);
    sent.push({ hash: signed.hash, send, nonce, gas, value });
  }
  await receiptsOf(run, sent);
  return sent;
}

/** Polls the chain until every transaction has a receipt (devnet blocks come every 250 ms). */
export async function receiptsOf(run: OracleDevnet, sent: readonly SentTx[]): Promise<TxReceipt[]> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const receipts = await run.client.getTransactionReceipts(sent.map((s) => s.hash));
    if (receipts.every((r) => r !== null)) return receipts as TxReceipt[];
    if (Date.now() > deadline) {
      const missing = sent.filter((_, i) => receipts[i] === null);
      throw new Error(`no receipt after 20 s for ${missing.length} transaction(s), e.g. ${missing[0]!.hash} (nonce ${missing[0]!.nonce})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** What GasHammer observed of the transactions: receipt fields, block base fee, signed nonce/value/limit, template. */
export async function observe(run: OracleDevnet, sent: readonly SentTx[]): Promise<IncludedTx[]> {
  const receipts = await receiptsOf(run, sent);
  const baseFees = new Map<bigint, bigint | undefined>();
  for (const r of receipts) {
    if (!baseFees.has(r.blockNumber)) baseFees.set(r.blockNumber, (await run.client.getBlock(r.blockNumber))?.baseFeePerGas);
  }
  return receipts.map((r, i) => {
    const s = sent[i]!;
    return {
      hash: r.transactionHash,
      blockNumber: Number(r.blockNumber),
      from: r.from.toLowerCase(),
      to: r.to === null ? undefined : r.to.toLowerCase(),
      nonce: s.nonce,
      valueWei: s.value,
      gasUsed: Number(r.gasUsed),
      gasUsedForL1: r.gasUsedForL1 === undefined ? undefined : Number(r.gasUsedForL1),
      effectiveGasPrice: r.effectiveGasPrice,
      baseFeePerGas: baseFees.get(r.blockNumber),
      success: r.status === 'success',
      gasLimit: Number(s.gas),
      template: s.send.template,
    };
  });
}

let seq = 0n;

function header(): Pick<TelemetryEvent, 'runId' | 'edgeId' | 'seq' | 'phaseIndex' | 'monoNs' | 'wallNs'> {
  seq++;
  return { runId: 'run-oracle', edgeId: 'edge-0', seq, phaseIndex: 0, monoNs: seq, wallNs: 1_763_000_000_000_000_000n + seq };
}

/** The TxSubmitted an edge records for a sent transaction. */
export function submittedEvent(s: SentTx): TelemetryEvent {
  return {
    ...header(),
    kind: 'TxSubmitted',
    txHash: s.hash,
    template: s.send.template ?? 'simple-transfer',
    estimatedGas: s.gas,
    gasLimit: s.gas,
    account: s.send.from.address,
    nonce: s.nonce,
    intendedNs: 0n,
    sentNs: 0n,
    valueWei: s.value,
  };
}

/** The TxIncluded an edge records for an observation. */
export function includedEvent(o: IncludedTx): TelemetryEvent {
  return {
    ...header(),
    kind: 'TxIncluded',
    txHash: o.hash as Hex,
    blockNumber: BigInt(o.blockNumber),
    seenNs: 0n,
    gasUsed: BigInt(o.gasUsed),
    gasUsedForL1: o.gasUsedForL1 === undefined ? undefined : BigInt(o.gasUsedForL1),
    effectiveGasPrice: o.effectiveGasPrice,
    baseFeePerGas: o.baseFeePerGas,
    success: o.success,
    from: o.from as Hex,
    to: o.to as Hex | undefined,
    nonce: o.nonce,
    valueWei: o.valueWei,
  };
}
