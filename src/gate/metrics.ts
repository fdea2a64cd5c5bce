// The catalogue of run metrics a gate can judge: their names, units and which direction is
// worse. Thresholds and regression rules may only name metrics listed here; the report engine
// computes every one of them.

export type MetricUnit = 'ms' | 'ratio' | 'gas/s' | 'tx/s' | 's' | 'count';

export interface MetricInfo {
  readonly name: string;
  readonly unit: MetricUnit;
  /** true when a larger value is worse (latency, errors); false when smaller is worse (throughput). */
  readonly higherIsWorse: boolean;
  readonly description: string;
}

export const LATENCY_KINDS = ['submission', 'acceptance', 'inclusion', 'feed_inclusion'] as const;
export const PERCENTILES = ['p50', 'p90', 'p95', 'p99', 'p999'] as const;

const LATENCY_WORDS: Record<(typeof LATENCY_KINDS)[number], string> = {
  submission: 'from intended send to the end of eth_sendRawTransaction',
  acceptance: 'from intended send to the sequencer accepting the transaction',
  inclusion: 'from intended send to the edge seeing the transaction in a block',
  feed_inclusion: 'from intended send to the transaction appearing in the sequencer feed',
};

function latencyMetrics(): MetricInfo[] {
  const out: MetricInfo[] = [];
  for (const kind of LATENCY_KINDS) {
    for (const p of PERCENTILES) {
      const q = p === 'p999' ? '99.9th' : `${p.slice(1)}th`;
      out.push({
        name: `${p}_${kind}_ms`,
        unit: 'ms',
        higherIsWorse: true,
        description: `${q} percentile latency ${LATENCY_WORDS[kind]} (corrected for coordinated omission).`,
      });
      out.push({
        name: `${p}_${kind}_uncorrected_ms`,
        unit: 'ms',
        higherIsWorse: true,
        description: `${q} percentile latency of the same, timed from the actual send instead of the intended one.`,
      });
    }
  }
  return out;
}

const OTHER_METRICS: MetricInfo[] = [
  { name: 'error_rate', unit: 'ratio', higherIsWorse: true, description: 'Failed submissions and timeouts over submitted transactions (0 to 1).' },
  { name: 'revert_rate', unit: 'ratio', higherIsWorse: true, description: 'Included transactions with status 0 that were expected to succeed, over included transactions.' },
  { name: 'timeout_rate', unit: 'ratio', higherIsWorse: true, description: 'Transactions never seen included before the receipt timeout, over submitted.' },
  { name: 'late_send_ratio', unit: 'ratio', higherIsWorse: true, description: 'Sends that left after their intended time by more than the lateness tolerance, over all sends.' },
  { name: 'feed_miss_rate', unit: 'ratio', higherIsWorse: true, description: 'Included transactions never seen in the sequencer feed, over included transactions.' },
  { name: 'telemetry_loss_ratio', unit: 'ratio', higherIsWorse: true, description: 'Telemetry events dropped over events generated.' },
  { name: 'achieved_gas_per_sec', unit: 'gas/s', higherIsWorse: false, description: 'Mean included compute gas per second over the loaded phases.' },
  { name: 'achieved_tx_per_sec', unit: 'tx/s', higherIsWorse: false, description: 'Mean included transactions per second over the loaded phases.' },
  { name: 'achieved_ratio', unit: 'ratio', higherIsWorse: false, description: 'Included compute gas over offered gas.' },
  { name: 'safe_sustained_gas_per_sec', unit: 'gas/s', higherIsWorse: false, description: 'Highest offered rate held with acceptable latency and errors (capacity envelope).' },
  { name: 'degradation_onset_gas_per_sec', unit: 'gas/s', higherIsWorse: false, description: 'Offered rate at which latency first degrades (capacity envelope).' },
  { name: 'instability_threshold_gas_per_sec', unit: 'gas/s', higherIsWorse: false, description: 'Offered rate at which errors appear or latency grows without bound (capacity envelope).' },
  { name: 'recovery_half_life_secs', unit: 's', higherIsWorse: true, description: 'Seconds for excess latency to halve after the load drops.' },
  {
    name: 'fault_recovery_secs',
    unit: 's',
    higherIsWorse: true,
    description:
      'Longest recovery after a fault was cleared (report.md, Faults); a fault that never recovered counts as the seconds watched after its clear, a lower bound. No value without a cleared fault.',
  },
  { name: 'oracle_violations', unit: 'count', higherIsWorse: true, description: 'Correctness violations found by the oracle (any violation fails the gate regardless).' },
  { name: 'tx_included', unit: 'count', higherIsWorse: false, description: 'Transactions seen included.' },
];

export const METRICS: readonly MetricInfo[] = [...latencyMetrics(), ...OTHER_METRICS];

const BY_NAME = new Map(METRICS.map((m) => [m.name, m]));

export function metricInfo(name: string): MetricInfo | undefined {
  return BY_NAME.get(name);
}

export const METRIC_NAMES: readonly string[] = METRICS.map((m) => m.name);
