// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title MockSequencerInbox
/// @notice A stand-in for Arbitrum's SequencerInbox on an anvil L1, for testing GasHammer's L1
///         reader. It stores nothing but a batch count and the last accumulator; it only emits
///         SequencerBatchDelivered exactly as the real contract's ABI declares it, so the ABI
///         Arbitrum publishes (nitro-contracts) decodes its logs. NOT a sequencer inbox: it
///         accepts any batch from anyone.
contract MockSequencerInbox {
    /// @dev Same members in the same order as IBridge.BatchDataLocation: an enum is a uint8 in
    ///      the ABI, and the order gives each value its meaning.
    enum BatchDataLocation {
        TxInput,
        SeparateBatchEvent,
        NoData,
        Blob
    }

    /// @dev Same field types and order as IBridge.TimeBounds (the event's tuple parameter).
    struct TimeBounds {
        uint64 minTimestamp;
        uint64 maxTimestamp;
        uint64 minBlockNumber;
        uint64 maxBlockNumber;
    }

    /// @dev Signature, types and indexing match SequencerInbox's event exactly; the topic is
    ///      keccak256("SequencerBatchDelivered(uint256,bytes32,bytes32,bytes32,uint256,(uint64,uint64,uint64,uint64),uint8)").
    event SequencerBatchDelivered(
        uint256 indexed batchSequenceNumber,
        bytes32 indexed beforeAcc,
        bytes32 indexed afterAcc,
        bytes32 delayedAcc,
        uint256 afterDelayedMessagesRead,
        TimeBounds timeBounds,
        BatchDataLocation dataLocation
    );

    /// @notice How many batches have been delivered; the next batch's sequence number.
    uint256 public batchCount;

    /// @notice The accumulator after the last batch (zero before the first), which becomes the
    ///         next batch's beforeAcc, so the emitted chain of accumulators links up.
    bytes32 public lastAcc;

    /// @notice Records a batch: emits SequencerBatchDelivered with sequence number `batchCount`
    ///         and beforeAcc `lastAcc`, then advances both. Returns the batch's sequence number.
    function deliverBatch(
        bytes32 afterAcc,
        bytes32 delayedAcc,
        uint256 afterDelayedMessagesRead,
        TimeBounds calldata timeBounds,
        BatchDataLocation dataLocation
    ) external returns (uint256 batchSequenceNumber) {
        batchSequenceNumber = batchCount;
        emit SequencerBatchDelivered(
            batchSequenceNumber, lastAcc, afterAcc, delayedAcc, afterDelayedMessagesRead, timeBounds, dataLocation
        );
        batchCount = batchSequenceNumber + 1;
        lastAcc = afterAcc;
    }
}
