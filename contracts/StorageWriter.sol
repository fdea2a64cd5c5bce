// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title StorageWriter
/// @notice The storage-heavy workload: writes chosen raw storage slots so a test can read them
///         back with eth_getStorageAt and the gas model can price SSTOREs per slot.
/// @dev Slots are addressed directly (slot N is storage slot N, not a mapping entry) so the
///      numbers a scenario names are the numbers on chain. The contract declares no state
///      variables, so no write can clobber anything of its own. Gas per slot depends only on the
///      slot's prior state (EIP-2200/2929): zero to non-zero costs most, rewriting the same value
///      least.
contract StorageWriter {
    /// @notice Stores `value` in storage slot `slot`.
    function write(uint256 slot, uint256 value) external {
        assembly ("memory-safe") {
            sstore(slot, value)
        }
    }

    /// @notice Stores `value` in the `count` consecutive slots starting at `firstSlot`.
    /// @dev `firstSlot + count` is checked, so a range running past the last slot reverts
    ///      instead of wrapping round to slot 0.
    function writeMany(uint256 firstSlot, uint256 count, uint256 value) external {
        uint256 end = firstSlot + count;
        for (uint256 slot = firstSlot; slot < end; ++slot) {
            assembly ("memory-safe") {
                sstore(slot, value)
            }
        }
    }

    /// @notice The value in storage slot `slot` (what eth_getStorageAt returns, as a number).
    function read(uint256 slot) external view returns (uint256 value) {
        assembly ("memory-safe") {
            value := sload(slot)
        }
    }
}
