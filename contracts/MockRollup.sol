// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title MockRollup
/// @notice A stand-in for Arbitrum's BoLD rollup (RollupCore) on an anvil L1, for testing
///         GasHammer's L1 reader. It emits AssertionCreated and AssertionConfirmed exactly as
///         the real contract's ABI declares them, so the ABI Arbitrum publishes
///         (nitro-contracts) decodes its logs, and tracks latestConfirmed. NOT a rollup: no
///         stakes, no challenges, no confirmation period; anyone may create or confirm.
contract MockRollup {
    /// @dev Same members in the same order as Nitro's MachineStatus (a uint8 in the ABI).
    enum MachineStatus {
        RUNNING,
        FINISHED,
        ERRORED
    }

    /// @dev The structs below mirror, field for field, the tuple types of the real event's
    ///      `assertion` parameter; the event signature is built from these types, so any
    ///      difference would change the topic.
    struct GlobalState {
        bytes32[2] bytes32Vals;
        uint64[2] u64Vals;
    }

    struct AssertionState {
        GlobalState globalState;
        MachineStatus machineStatus;
        bytes32 endHistoryRoot;
    }

    struct ConfigData {
        bytes32 wasmModuleRoot;
        uint256 requiredStake;
        address challengeManager;
        uint64 confirmPeriodBlocks;
        uint64 nextInboxPosition;
    }

    struct BeforeStateData {
        bytes32 prevPrevAssertionHash;
        bytes32 sequencerBatchAcc;
        ConfigData configData;
    }

    struct AssertionInputs {
        BeforeStateData beforeStateData;
        AssertionState beforeState;
        AssertionState afterState;
    }

    event AssertionCreated(
        bytes32 indexed assertionHash,
        bytes32 indexed parentAssertionHash,
        AssertionInputs assertion,
        bytes32 afterInboxBatchAcc,
        uint256 inboxMaxCount,
        bytes32 wasmModuleRoot,
        uint256 requiredStake,
        address challengeManager,
        uint64 confirmPeriodBlocks
    );

    event AssertionConfirmed(bytes32 indexed assertionHash, bytes32 blockHash, bytes32 sendRoot);

    /// @notice Confirming an assertion this mock never created.
    error UnknownAssertion(bytes32 assertionHash);

    /// @notice The rollup configuration every AssertionCreated reports, set at deployment.
    bytes32 public wasmModuleRoot;
    uint256 public baseStake;
    address public challengeManager;
    uint64 public confirmPeriodBlocks;

    /// @notice The hash of the latest confirmed assertion (bytes32 in BoLD); zero until the first
    ///         confirmation, where the real rollup starts at its genesis assertion.
    bytes32 public latestConfirmed;

    /// @notice Whether createAssertion has produced `assertionHash`.
    mapping(bytes32 assertionHash => bool) public created;

    constructor(
        bytes32 wasmModuleRoot_,
        uint256 baseStake_,
        address challengeManager_,
        uint64 confirmPeriodBlocks_
    ) {
        wasmModuleRoot = wasmModuleRoot_;
        baseStake = baseStake_;
        challengeManager = challengeManager_;
        confirmPeriodBlocks = confirmPeriodBlocks_;
    }

    /// @notice Records an assertion and emits AssertionCreated. The hash is computed the way BoLD
    ///         defines it, keccak256(parentAssertionHash ++ keccak256(abi.encode(afterState)) ++
    ///         afterInboxBatchAcc), so a reader that recomputes hashes sees consistent ones.
    function createAssertion(
        bytes32 parentAssertionHash,
        AssertionInputs calldata assertion,
        bytes32 afterInboxBatchAcc,
        uint256 inboxMaxCount
    ) external returns (bytes32 assertionHash) {
        bytes32 afterStateHash = keccak256(abi.encode(assertion.afterState));
        assertionHash = keccak256(abi.encodePacked(parentAssertionHash, afterStateHash, afterInboxBatchAcc));
        created[assertionHash] = true;
        emit AssertionCreated(
            assertionHash,
            parentAssertionHash,
            assertion,
            afterInboxBatchAcc,
            inboxMaxCount,
            wasmModuleRoot,
            baseStake,
            challengeManager,
            confirmPeriodBlocks
        );
    }

    /// @notice Confirms an assertion this mock created: moves latestConfirmed to it and emits
    ///         AssertionConfirmed with the L2 block hash and send root given.
    function confirmAssertion(bytes32 assertionHash, bytes32 blockHash, bytes32 sendRoot) external {
        if (!created[assertionHash]) revert UnknownAssertion(assertionHash);
        latestConfirmed = assertionHash;
        emit AssertionConfirmed(assertionHash, blockHash, sendRoot);
    }
}
