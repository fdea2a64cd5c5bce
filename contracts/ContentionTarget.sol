// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title ContentionTarget
/// @notice The contention workload: many senders write the same few storage slots, so their
///         transactions conflict the way popular contracts (an AMM pool, a mint) make them.
/// @dev Eight hot slots, at storage slots 0-7 (the only state of this contract), so a test can
///      read them with eth_getStorageAt directly.
contract ContentionTarget {
    /// @notice How many hot slots there are; `bump` reduces its argument modulo this.
    uint256 public constant HOT_SLOTS = 8;

    uint256[HOT_SLOTS] private _hot;

    /// @notice Adds one to hot slot `hotSlot % HOT_SLOTS` and returns its new value.
    function bump(uint256 hotSlot) external returns (uint256 newValue) {
        newValue = ++_hot[hotSlot % HOT_SLOTS];
    }

    /// @notice The value of hot slot `hotSlot % HOT_SLOTS`.
    function hot(uint256 hotSlot) external view returns (uint256) {
        return _hot[hotSlot % HOT_SLOTS];
    }
}
