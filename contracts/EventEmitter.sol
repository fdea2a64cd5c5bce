// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title EventEmitter
/// @notice The log-heavy workload: emits as many events as asked, to load log indexing,
///         receipts and eth_getLogs on the rollup.
contract EventEmitter {
    /// @notice One per emitted event: who asked, the event's position in the call, how many the
    ///         call emits in all. Two indexed fields, so each log carries three topics.
    event Emitted(address indexed sender, uint256 indexed index, uint256 count);

    /// @notice Emits `count` Emitted events. Gas is linear in `count`: no storage is touched.
    function emitEvents(uint256 count) external {
        for (uint256 i; i < count; ++i) {
            emit Emitted(msg.sender, i, count);
        }
    }
}
