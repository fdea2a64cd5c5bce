// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title Counter
/// @notice The smallest stateful workload: one storage slot moved up or down by one.
contract Counter {
    uint256 private _count;

    /// @notice Adds one.
    function increment() external {
        _count += 1;
    }

    /// @notice Subtracts one; reverts (Panic 0x11, arithmetic underflow) when the count is zero.
    function decrement() external {
        _count -= 1;
    }

    /// @notice The current count.
    function count() external view returns (uint256) {
        return _count;
    }
}
