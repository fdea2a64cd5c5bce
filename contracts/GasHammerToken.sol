// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title GasHammerToken
/// @notice A TEST token for GasHammer devnets: the ERC-20 transfer/approve workloads run against
///         it. Anyone may mint any amount, so it has no value and must never be deployed where
///         value matters.
/// @dev OpenZeppelin's ERC20 unchanged (18 decimals), plus an open `mint` so load-test senders can
///      be funded without routing every balance through the deployer.
contract GasHammerToken is ERC20 {
    /// @param initialSupply minted to the deployer, in the smallest unit (18 decimals).
    constructor(uint256 initialSupply) ERC20("GasHammer Test Token", "GHT") {
        _mint(msg.sender, initialSupply);
    }

    /// @notice Creates `amount` new tokens for `to`. Deliberately unrestricted: test funding only.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}
