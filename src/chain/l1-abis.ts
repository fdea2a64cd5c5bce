// The pieces of Arbitrum's L1 contract ABIs that GasHammer reads: SequencerInbox's batchCount()
// and SequencerBatchDelivered, and the BoLD rollup's (RollupCore) latestConfirmed(),
// AssertionCreated and AssertionConfirmed. The fragments themselves come from the artifacts
// Offchain Labs publishes in @arbitrum/nitro-contracts, selected by name; their static types
// come from the human-readable signatures below. Loading checks that the two agree, so a type
// can never describe a fragment the package does not have.

import { createRequire } from 'node:module';
import { parseAbi, type Abi, type AbiParameter, type ParseAbi } from 'viem';

/** Where the package keeps its compiled artifacts (Hardhat's layout: <source>.sol/<contract>.json). */
const ARTIFACTS = '@arbitrum/nitro-contracts/build/contracts/src';

/** IBridge.BatchDataLocation is a uint8 in the ABI; TimeBounds is IBridge.TimeBounds. */
const SEQUENCER_INBOX_SIGNATURES = [
  'function batchCount() view returns (uint256)',
  'struct TimeBounds { uint64 minTimestamp; uint64 maxTimestamp; uint64 minBlockNumber; uint64 maxBlockNumber; }',
  'event SequencerBatchDelivered(uint256 indexed batchSequenceNumber, bytes32 indexed beforeAcc, bytes32 indexed afterAcc, bytes32 delayedAcc, uint256 afterDelayedMessagesRead, TimeBounds timeBounds, uint8 dataLocation)',
] as const;

/** The structs of BoLD's AssertionInputs; MachineStatus is a uint8 in the ABI. */
const ROLLUP_CORE_SIGNATURES = [
  'function latestConfirmed() view returns (bytes32)',
  'struct GlobalState { bytes32[2] bytes32Vals; uint64[2] u64Vals; }',
  'struct AssertionState { GlobalState globalState; uint8 machineStatus; bytes32 endHistoryRoot; }',
  'struct ConfigData { bytes32 wasmModuleRoot; uint256 requiredStake; address challengeManager; uint64 confirmPeriodBlocks; uint64 nextInboxPosition; }',
  'struct BeforeStateData { bytes32 prevPrevAssertionHash; bytes32 sequencerBatchAcc; ConfigData configData; }',
  'struct AssertionInputs { BeforeStateData beforeStateData; AssertionState beforeState; AssertionState afterState; }',
  'event AssertionCreated(bytes32 indexed assertionHash, bytes32 indexed parentAssertionHash, AssertionInputs assertion, bytes32 afterInboxBatchAcc, uint256 inboxMaxCount, bytes32 wasmModuleRoot, uint256 requiredStake, address challengeManager, uint64 confirmPeriodBlocks)',
  'event AssertionConfirmed(bytes32 indexed assertionHash, bytes32 blockHash, bytes32 sendRoot)',
] as const;

export type SequencerInboxAbi = ParseAbi<typeof SEQUENCER_INBOX_SIGNATURES>;
export type RollupCoreAbi = ParseAbi<typeof ROLLUP_CORE_SIGNATURES>;

/** A parameter as the ABI encoding sees it: internalType is documentation, not encoding. */
interface ParameterShape {
  readonly name: string;
  readonly type: string;
  readonly indexed: boolean;
  readonly components?: readonly ParameterShape[];
}

function parameterShape(p: AbiParameter & { indexed?: boolean }): ParameterShape {
  const components = 'components' in p ? p.components.map(parameterShape) : undefined;
  return { name: p.name ?? '', type: p.type, indexed: p.indexed === true, ...(components ? { components } : {}) };
}

/** Everything about a fragment that decoding depends on, as one comparable string. */
function shapeOf(item: Abi[number]): string {
  if (item.type === 'function') {
    return JSON.stringify({ type: item.type, name: item.name, stateMutability: item.stateMutability, inputs: item.inputs.map(parameterShape), outputs: item.outputs.map(parameterShape) });
  }
  if (item.type === 'event') {
    return JSON.stringify({ type: item.type, name: item.name, anonymous: item.anonymous === true, inputs: item.inputs.map(parameterShape) });
  }
  return JSON.stringify({ type: item.type });
}

function fragmentName(item: Abi[number]): string | undefined {
  return 'name' in item ? item.name : undefined;
}

/**
 * The fragments of `contract`'s published ABI named in `signatures`, in the signatures' order.
 * Throws when the package lacks one or declares it differently from the signature.
 */
function publishedFragments<const S extends readonly string[]>(source: string, contract: string, signatures: S): ParseAbi<S> {
  // A JSON artifact read through require, as nitro-info.ts does: JSON module imports warn as
  // experimental on some Node 20 releases.
  const require = createRequire(import.meta.url);
  const artifact = require(`${ARTIFACTS}/${source}/${contract}.json`) as { abi?: unknown };
  if (!Array.isArray(artifact.abi)) throw new Error(`@arbitrum/nitro-contracts: ${contract}.json has no ABI`);
  const published = artifact.abi as Abi;
  const expected = parseAbi(signatures as readonly string[]) as Abi;
  const selected = expected.map((want) => {
    const name = fragmentName(want);
    const found = published.filter((item) => item.type === want.type && fragmentName(item) === name);
    if (found.length !== 1) throw new Error(`@arbitrum/nitro-contracts: ${contract} has ${found.length} ${want.type}s named ${name}, expected one`);
    const [fragment] = found as [Abi[number]];
    if (shapeOf(fragment) !== shapeOf(want)) {
      throw new Error(`@arbitrum/nitro-contracts: ${contract}.${name} differs from the signature GasHammer is typed for: ${shapeOf(fragment)}`);
    }
    return fragment;
  });
  return selected as unknown as ParseAbi<S>;
}

/** SequencerInbox's batchCount() and SequencerBatchDelivered, as published. */
export const SEQUENCER_INBOX_ABI: SequencerInboxAbi = publishedFragments('bridge/SequencerInbox.sol', 'SequencerInbox', SEQUENCER_INBOX_SIGNATURES);

/** RollupCore's latestConfirmed(), AssertionCreated and AssertionConfirmed (BoLD), as published. */
export const ROLLUP_CORE_ABI: RollupCoreAbi = publishedFragments('rollup/RollupCore.sol', 'RollupCore', ROLLUP_CORE_SIGNATURES);

/** Names of IBridge.BatchDataLocation's members, in declaration order (the uint8 is the index). */
export const BATCH_DATA_LOCATIONS = ['TxInput', 'SeparateBatchEvent', 'NoData', 'Blob'] as const;
export type BatchDataLocation = (typeof BATCH_DATA_LOCATIONS)[number];

/** Names of Nitro's MachineStatus members, in declaration order. */
export const MACHINE_STATUSES = ['RUNNING', 'FINISHED', 'ERRORED'] as const;
export type MachineStatus = (typeof MACHINE_STATUSES)[number];
