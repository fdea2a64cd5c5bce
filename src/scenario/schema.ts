// The JSON Schema of a GasHammer scenario: the single source of truth for the SDL's shape.
// docs/scenario.schema.json is generated from it (npm run gen:docs) for editors and other
// tools; the validator compiles it with ajv. Cross-field rules live in semantic.ts.

import { ADAPTER_NAMES } from '../fault/adapter.js';
import { TEMPLATE_NAMES } from '../workload/template-catalog.js';

/** Largest gas rate accepted: far above any rollup, and small enough that gas totals stay exact. */
export const MAX_GAS_PER_SEC = 10_000_000_000;
/** Longest phase and run: one week. */
export const MAX_DURATION_SECS = 604_800;
export const MAX_EDGES = 256;
export const MAX_ACCOUNTS_PER_EDGE = 10_000;
/** Geth and Nitro refuse transactions larger than 128 KiB. */
export const MAX_CALLDATA_BYTES = 120_000;

export const FAULT_TYPES = [
  'latency',
  'jitter',
  'packet-loss',
  'bandwidth',
  'connection-reset',
  'port-block',
  'partition',
  'feed-disconnect',
  'rpc-slow',
  'rpc-error',
] as const;
export const FAULT_TARGETS = ['sequencer-rpc', 'gateway-rpc', 'feed-relay'] as const;
export const INVARIANTS = ['balance-conservation', 'nonce-monotonicity', 'gas-accounting'] as const;
export const REGRESSION_METRICS = [
  'p50_inclusion_ms',
  'p99_inclusion_ms',
  'achieved_gas_per_sec',
  'error_rate',
  'safe_sustained_gas_per_sec',
] as const;
export const TARGET_KINDS = ['devnet', 'nitro-devnet'] as const;

/** Names of scenarios, phases, faults, regions, environments. */
const LABEL_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$';
const HTTP_URL_PATTERN = '^https?://[^\\s]+$';
const WS_URL_PATTERN = '^wss?://[^\\s]+$';

/** Human words for the patterns above, used in error messages. */
export const PATTERN_WORDS: Record<string, string> = {
  [LABEL_PATTERN]: 'letters, digits, "-" and "_", starting with a letter or digit, at most 64 characters',
  [HTTP_URL_PATTERN]: 'an http:// or https:// URL',
  [WS_URL_PATTERN]: 'a ws:// or wss:// URL',
  '^[0-9]{1,78}$': 'a whole number of wei, as digits',
};

const label = { type: 'string', pattern: LABEL_PATTERN } as const;
const gasPerSec = {
  type: 'integer',
  minimum: 0,
  maximum: MAX_GAS_PER_SEC,
  description: 'Gas per second (compute gas). Underscores may group digits: 5_000_000.',
} as const;
const seconds = (min: number, description: string) =>
  ({ type: 'integer', minimum: min, maximum: MAX_DURATION_SECS, description }) as const;
/** Wei and token amounts: integers of any size, or decimal strings. Kept exact (bigint). */
const amount = {
  description: 'A whole amount (wei or token units); any size, kept exact.',
  anyOf: [
    { type: 'integer', minimum: 0 },
    { type: 'string', pattern: '^[0-9]{1,78}$' },
  ],
} as const;

function strictObject(
  properties: Record<string, unknown>,
  required: readonly string[] = [],
  extra: Record<string, unknown> = {},
) {
  return { type: 'object', additionalProperties: false, properties, required, ...extra } as const;
}

function gasRateVariant(type: string, description: string, fields: Record<string, unknown>, required: string[]) {
  return strictObject({ type: { const: type, description }, ...fields }, ['type', ...required]);
}

const gasRate = {
  description: 'A gas/s curve: sustained, ramp, burst or custom.',
  type: 'object',
  required: ['type'],
  properties: { type: { enum: ['sustained', 'ramp', 'burst', 'custom'] } },
  discriminator: { propertyName: 'type' },
  oneOf: [
    gasRateVariant('sustained', 'A constant rate.', { gas_per_sec: gasPerSec }, ['gas_per_sec']),
    gasRateVariant(
      'ramp',
      'A linear ramp from start to end over the phase it applies to.',
      { start_gas_per_sec: gasPerSec, end_gas_per_sec: gasPerSec },
      ['start_gas_per_sec', 'end_gas_per_sec'],
    ),
    gasRateVariant(
      'burst',
      'A baseline with a burst at the start of every interval.',
      {
        baseline_gas_per_sec: gasPerSec,
        peak_gas_per_sec: gasPerSec,
        burst_duration_secs: seconds(1, 'Length of each burst.'),
        interval_secs: seconds(1, 'Time from the start of one burst to the start of the next.'),
      },
      ['baseline_gas_per_sec', 'peak_gas_per_sec', 'burst_duration_secs', 'interval_secs'],
    ),
    gasRateVariant(
      'custom',
      'A piecewise-linear schedule of points; the rate holds after the last point.',
      {
        points: {
          type: 'array',
          minItems: 1,
          maxItems: 1_000,
          items: strictObject(
            { at_secs: seconds(0, 'Offset from the start of the phase.'), gas_per_sec: gasPerSec },
            ['at_secs', 'gas_per_sec'],
          ),
        },
      },
      ['points'],
    ),
  ],
} as const;

const templateParams: Record<string, Record<string, unknown>> = {
  'simple-transfer': { value_wei: amount },
  noop: {},
  'erc20-transfer': { amount },
  'erc20-approve': { amount },
  'storage-write': {},
  'storage-write-heavy': { slots: { type: 'integer', minimum: 1, maximum: 1_000 } },
  'compute-heavy': { iterations: { type: 'integer', minimum: 1, maximum: 1_000_000 } },
  'calldata-heavy': { size_bytes: { type: 'integer', minimum: 4, maximum: MAX_CALLDATA_BYTES } },
};

const template = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'weight'],
  properties: {
    // Names are checked by names.ts (with suggestions); `examples` lets editors complete them.
    name: { type: 'string', description: `A built-in template: ${TEMPLATE_NAMES.join(', ')}.`, examples: [...TEMPLATE_NAMES] },
    weight: { type: 'number', minimum: 0, maximum: 1_000_000, description: 'Relative share of transactions.' },
    params: { type: 'object', description: 'Template parameters (see docs/sdl.md#templates).' },
  },
  allOf: TEMPLATE_NAMES.map((name) => ({
    if: { properties: { name: { const: name } }, required: ['name'] },
    then: { properties: { params: strictObject(templateParams[name] ?? {}) } },
  })),
} as const;

const faultCommon = {
  name: { ...label, description: 'Label used to clear the fault and in reports.' },
  adapter: {
    enum: [...ADAPTER_NAMES],
    description: 'What injects the fault: proxy (default where it can; no privileges), netem or iptables (CAP_NET_ADMIN; port-block defaults to iptables).',
  },
  target: { enum: [...FAULT_TARGETS], description: 'Which connection the fault applies to.' },
  duration_secs: seconds(1, 'Clear the fault automatically after this many seconds.'),
};

const ms = (description: string) => ({ type: 'integer', minimum: 0, maximum: 600_000, description }) as const;
const pct = (description: string) => ({ type: 'number', minimum: 0, maximum: 100, description }) as const;
const port = { type: 'integer', minimum: 1, maximum: 65_535, description: 'TCP port (iptables; default: the port of the target\'s endpoint).' } as const;
const netInterface = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$', description: 'Network interface the netem adapter shapes (required with adapter: netem).' } as const;

function faultVariant(type: (typeof FAULT_TYPES)[number], fields: Record<string, unknown>, required: string[]) {
  return strictObject({ type: { const: type }, ...faultCommon, ...fields }, ['type', 'target', ...required]);
}

const faultSpec = {
  type: 'object',
  required: ['type'],
  properties: { type: { enum: [...FAULT_TYPES] } },
  discriminator: { propertyName: 'type' },
  oneOf: [
    faultVariant('latency', { latency_ms: ms('Added latency.'), jitter_ms: ms('Random extra latency, up to this much.'), interface: netInterface }, ['latency_ms']),
    faultVariant('jitter', { jitter_ms: ms('Random extra latency, up to this much.'), latency_ms: ms('Fixed latency under the jitter.'), interface: netInterface }, ['jitter_ms']),
    faultVariant('packet-loss', { loss_pct: pct('Share of requests (or packets) dropped, in percent.'), interface: netInterface }, ['loss_pct']),
    faultVariant('bandwidth', { rate_kbps: { type: 'integer', minimum: 1, maximum: 100_000_000, description: 'Bandwidth cap in kilobits per second.' }, interface: netInterface }, ['rate_kbps']),
    faultVariant('connection-reset', { port }, []),
    faultVariant('port-block', { port }, ['port']),
    faultVariant('partition', {}, []),
    faultVariant('feed-disconnect', {}, []),
    faultVariant('rpc-slow', { delay_ms: ms('Delay added before each response.') }, ['delay_ms']),
    faultVariant(
      'rpc-error',
      {
        error_pct: pct('Share of requests answered with an error, in percent.'),
        rpc_code: { type: 'integer', minimum: -2_147_483_648, maximum: 2_147_483_647, description: 'JSON-RPC error code returned.' },
        message: { type: 'string', maxLength: 500, description: 'JSON-RPC error message returned.' },
        http_status: { enum: [429, 500, 502, 503, 504], description: 'Answer with this HTTP status instead of a JSON-RPC error.' },
      },
      ['error_pct'],
    ),
  ],
} as const;

const faultRef = strictObject(
  {
    name: label,
    type: { enum: [...FAULT_TYPES] },
    target: { enum: [...FAULT_TARGETS] },
  },
  [],
  { minProperties: 1, description: 'Which active fault to clear: by name, or by type (and target).' },
);

const edgeSelector = {
  description: '`all`, `{region: NAME}` or `{ids: [edge indexes]}`.',
  anyOf: [
    { const: 'all' },
    strictObject({ region: label }, ['region']),
    strictObject({ ids: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'integer', minimum: 0, maximum: MAX_EDGES - 1 } } }, ['ids']),
  ],
} as const;

const faultEvent = {
  type: 'object',
  additionalProperties: false,
  required: ['at_secs', 'action', 'fault'],
  properties: {
    at_secs: seconds(0, 'Offset from the start of the run.'),
    action: { enum: ['inject', 'clear'] },
    fault: { type: 'object' },
    edges: edgeSelector,
    allowed_environments: { type: 'array', uniqueItems: true, items: label, description: 'Environments this fault may run against (default: devnet).' },
    blocked_environments: { type: 'array', uniqueItems: true, items: label, description: 'Environments this fault must never run against (default: production, mainnet).' },
  },
  allOf: [
    { if: { properties: { action: { const: 'inject' } }, required: ['action'] }, then: { properties: { fault: faultSpec } } },
    { if: { properties: { action: { const: 'clear' } }, required: ['action'] }, then: { properties: { fault: faultRef } } },
  ],
} as const;

const thresholdObject = strictObject(
  {
    check: { type: 'string', description: '`<metric> <operator> <number>`.' },
    level: { enum: ['warn', 'error'], description: 'error fails the gate; warn only warns (default error).' },
  },
  ['check'],
);

const regressionRule = strictObject({
  enabled: { type: 'boolean' },
  warn_pct: { type: 'number', minimum: 0, maximum: 10_000, description: 'Relative change in the worse direction that warns.' },
  fail_pct: { type: 'number', minimum: 0, maximum: 10_000, description: 'Relative change in the worse direction that fails.' },
});

const gate = strictObject({
  thresholds: {
    type: 'array',
    maxItems: 200,
    items: { anyOf: [{ type: 'string' }, thresholdObject] },
    description: 'Absolute checks, e.g. `p99_inclusion_ms < 2000`.',
  },
  regression: strictObject({
    min_samples: { type: 'integer', minimum: 1, maximum: 1_000_000, description: 'Fewest samples a comparison needs (default 30).' },
    significance: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1, description: 'p-value below which a difference counts (default 0.05).' },
    require_baseline: { type: 'boolean', description: 'Make a missing baseline INCONCLUSIVE instead of a note (default false).' },
    metrics: strictObject(Object.fromEntries(REGRESSION_METRICS.map((m) => [m, regressionRule]))),
  }),
});

const targetEndpoints = strictObject(
  {
    chain_id: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
    sequencer_rpc: { type: 'string', pattern: HTTP_URL_PATTERN },
    gateway_rpc: { type: 'string', pattern: HTTP_URL_PATTERN },
    feed_relay: { type: 'string', pattern: WS_URL_PATTERN },
    environment: { ...label, description: 'What this target is (staging, production, ...); faults check it (default staging).' },
  },
  ['chain_id', 'sequencer_rpc'],
);

export const SCENARIO_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'urn:gashammer:scenario:v1',
  title: 'GasHammer scenario',
  description: 'A GasHammer load-test scenario (SDL). See docs/sdl.md.',
  type: 'object',
  additionalProperties: false,
  required: ['name', 'description', 'version', 'workload', 'phases'],
  properties: {
    name: { ...label, description: 'Scenario name: letters, digits, "-" and "_".' },
    description: { type: 'string', maxLength: 4_000 },
    version: { type: 'string', minLength: 1, maxLength: 64, description: 'Version of this scenario; quote it ("1.0").' },
    target: {
      description: '`devnet` (embedded, default), `nitro-devnet` (container) or the endpoints of a deployment.',
      anyOf: [{ enum: [...TARGET_KINDS] }, targetEndpoints],
    },
    workload: strictObject(
      {
        gas_rate: gasRate,
        seed: { type: 'integer', minimum: 0, description: 'PRNG seed (default 0); any size up to 2^64-1.' },
        templates: { type: 'array', minItems: 1, maxItems: 64, items: template },
      },
      ['templates'],
    ),
    phases: {
      type: 'array',
      minItems: 1,
      maxItems: 100,
      items: strictObject(
        {
          name: label,
          duration_secs: seconds(1, 'Phase length in seconds (at least 1).'),
          gas_rate_override: gasRate,
        },
        ['name', 'duration_secs'],
      ),
    },
    oracle: strictObject({
      invariants: { type: 'array', uniqueItems: true, items: { enum: [...INVARIANTS] } },
      check_interval_secs: { type: 'integer', minimum: 1, maximum: 3_600 },
    }),
    fault_schedule: { type: 'array', maxItems: 1_000, items: faultEvent },
    edges: strictObject({
      count: { type: 'integer', minimum: 1, maximum: MAX_EDGES },
      accounts_per_edge: { type: 'integer', minimum: 1, maximum: MAX_ACCOUNTS_PER_EDGE },
      regions: { type: 'array', uniqueItems: true, minItems: 1, maxItems: MAX_EDGES, items: label },
    }),
    gate,
  },
} as const;
