// The catalogue of built-in transaction templates: their names, what each does, the gas the
// planner assumes before calibration, and the parameters each accepts. The edge's template
// builders (issue 3/7 of the workload engine) implement these; the SDL validates against them.

export const TEMPLATE_NAMES = [
  'simple-transfer',
  'noop',
  'erc20-transfer',
  'erc20-approve',
  'storage-write',
  'storage-write-heavy',
  'compute-heavy',
  'calldata-heavy',
] as const;

export type TemplateName = (typeof TEMPLATE_NAMES)[number];

export interface TemplateParams {
  /** simple-transfer: wei sent per transfer. */
  readonly value_wei?: bigint;
  /** erc20-transfer / erc20-approve: token units per call. */
  readonly amount?: bigint;
  /** storage-write-heavy: slots written per call. */
  readonly slots?: number;
  /** compute-heavy: loop iterations of the GasBurner contract. */
  readonly iterations?: number;
  /** calldata-heavy: bytes of calldata per transaction. */
  readonly size_bytes?: number;
}

export interface TemplateInfo {
  readonly name: TemplateName;
  readonly description: string;
  /** Parameters this template accepts, with their defaults. */
  readonly defaults: TemplateParams;
  /**
   * Compute gas the planner assumes per transaction before the edges calibrate with
   * eth_estimateGas. Rough on purpose: it sizes the plan, it never limits a transaction.
   */
  estimatedGas(params: TemplateParams): number;
}

/** Gas charged per non-zero calldata byte (EIP-2028); calldata-heavy sends non-zero bytes. */
const CALLDATA_GAS_PER_BYTE = 16;
const TX_BASE_GAS = 21_000;

export const TEMPLATE_CATALOG: Readonly<Record<TemplateName, TemplateInfo>> = {
  'simple-transfer': {
    name: 'simple-transfer',
    description: 'ETH value transfer between two GasHammer accounts.',
    defaults: { value_wei: 1n },
    estimatedGas: () => TX_BASE_GAS,
  },
  noop: {
    name: 'noop',
    description: 'Zero-value transfer from an account to itself.',
    defaults: {},
    estimatedGas: () => TX_BASE_GAS,
  },
  'erc20-transfer': {
    name: 'erc20-transfer',
    description: 'ERC-20 transfer() of the devnet test token to another GasHammer account.',
    defaults: { amount: 1n },
    estimatedGas: () => 65_000,
  },
  'erc20-approve': {
    name: 'erc20-approve',
    description: 'ERC-20 approve() of the test token for another GasHammer account.',
    defaults: { amount: 1n },
    estimatedGas: () => 46_000,
  },
  'storage-write': {
    name: 'storage-write',
    description: 'One storage slot written in the StorageWriter contract.',
    defaults: {},
    estimatedGas: () => 44_000,
  },
  'storage-write-heavy': {
    name: 'storage-write-heavy',
    description: 'Many storage slots written in one call to the StorageWriter contract.',
    defaults: { slots: 10 },
    // A fresh slot costs 22,100 gas (cold SSTORE from zero); the call itself about 24,000.
    estimatedGas: (p) => 24_000 + 22_100 * (p.slots ?? 10),
  },
  'compute-heavy': {
    name: 'compute-heavy',
    description: 'A configurable loop in the GasBurner contract: execution gas, little state.',
    defaults: { iterations: 1_000 },
    // About 180 gas per iteration of the burner loop plus the call overhead.
    estimatedGas: (p) => 24_000 + 180 * (p.iterations ?? 1_000),
  },
  'calldata-heavy': {
    name: 'calldata-heavy',
    description: 'A transaction carrying a large calldata payload (size as a parameter).',
    defaults: { size_bytes: 4_096 },
    estimatedGas: (p) => TX_BASE_GAS + CALLDATA_GAS_PER_BYTE * (p.size_bytes ?? 4_096),
  },
};

export function isTemplateName(name: string): name is TemplateName {
  return (TEMPLATE_NAMES as readonly string[]).includes(name);
}
