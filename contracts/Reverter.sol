// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title Reverter
/// @notice Controlled failures, so the revert paths of GasHammer (receipts with status 0, decoded
///         revert reasons, custom errors) are exercised on purpose rather than by accident.
contract Reverter {
    /// @notice The reason string `succeedOrRevert(true)` reverts with.
    string public constant REVERT_REASON = "Reverter: asked to revert";

    /// @notice The custom-error variant: `code` is echoed back so a caller can match it.
    error GasHammerRevert(uint256 code, address sender);

    /// @notice Emitted when `succeedOrRevert(false)` succeeds.
    /// @dev The event also keeps the function non-view, so it can be sent as a transaction.
    event Succeeded(address indexed sender);

    /// @notice Succeeds (emitting Succeeded) or reverts with REVERT_REASON, as asked.
    function succeedOrRevert(bool shouldRevert) external {
        if (shouldRevert) revert(REVERT_REASON);
        emit Succeeded(msg.sender);
    }

    /// @notice Always reverts with Error(reason).
    /// @dev Declared pure because it is: send it as a transaction with an explicit gas limit
    ///      (gas estimation fails on a certain revert) to get a mined, reverted transaction.
    function revertWithReason(string calldata reason) external pure {
        revert(reason);
    }

    /// @notice Always reverts with the custom error GasHammerRevert(code, msg.sender).
    function revertWithCustomError(uint256 code) external view {
        revert GasHammerRevert(code, msg.sender);
    }
}
