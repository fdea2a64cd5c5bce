// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title GasBurner
/// @notice The compute-heavy workload: spends gas in proportion to `iterations` and nothing else,
///         so a scenario can dial a transaction's gas precisely.
contract GasBurner {
    /// @notice Emitted once per call with the chain's final value.
    /// @dev The event is what makes the loop observable, so the optimiser cannot drop it, and
    ///      unlike a storage write its cost is the same on every call (a first SSTORE would cost
    ///      ~20k more than later ones and spoil the linear gas curve).
    event Burned(uint256 iterations, bytes32 result);

    /// @notice Chains keccak256 over a local value `iterations` times and returns the result.
    /// @dev Hashes in the scratch space (memory 0x00-0x1f) rather than with abi.encode, which
    ///      would allocate fresh memory each round and make gas grow quadratically.
    function burn(uint256 iterations) external returns (bytes32 result) {
        result = bytes32(iterations);
        for (uint256 i; i < iterations; ++i) {
            assembly ("memory-safe") {
                mstore(0x00, result)
                result := keccak256(0x00, 0x20)
            }
        }
        emit Burned(iterations, result);
    }
}
