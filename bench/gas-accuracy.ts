// Benchmark: does the edge offer what the scenario asks? Plays transfer phases from 1 to 20
// Mgas/s against the embedded devnet and prints, per phase, the target, the offered and the
// achieved compute gas/s, with PASS when achieved is within 2% of the target (issue 4's bar).
//
//   npm run bench:gas-accuracy [-- --secs 10 --rates 1,5,10,20 --edges 1]

import { startEmbeddedDevnet } from '../src/devnet/embedded-devnet.js';
import { fmt, phaseFigures, planFrom, playInProcess } from './support.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const secs = Number(arg('secs', '10'));
const rates = arg('rates', '1,5,10,20').split(',').map((r) => Number(r) * 1_000_000);
const edges = Number(arg('edges', '1'));
const TOLERANCE = 0.02;

const devnet = await startEmbeddedDevnet();
try {
  const plan = planFrom({
    workload: { seed: 1, templates: [{ name: 'simple-transfer', weight: 1 }] },
    phases: rates.map((r) => ({ name: `transfers-${r / 1e6}mgas`, duration_secs: secs, gas_rate_override: { type: 'sustained', gas_per_sec: r } })),
    edges: { count: edges, accounts_per_edge: 400 },
  });
  const result = await playInProcess(plan, devnet);
  const figures = phaseFigures(plan, result);
  console.log(`gas accuracy: ${rates.length} phase(s) of ${secs} s, ${edges} edge(s), simple-transfer, embedded devnet`);
  console.log('phase  target gas/s   offered gas/s  achieved gas/s  achieved/target  tx/s  failed  timeouts  late  dropped  verdict');
  let pass = true;
  for (const f of figures) {
    const ratio = f.achievedGasPerSec / f.targetGasPerSec;
    const ok = Math.abs(ratio - 1) <= TOLERANCE;
    pass &&= ok;
    console.log(
      [
        String(f.phase).padEnd(5),
        fmt(f.targetGasPerSec).padStart(13),
        fmt(f.offeredGasPerSec).padStart(14),
        fmt(f.achievedGasPerSec).padStart(15),
        fmt(ratio, 4).padStart(16),
        fmt(f.includedTxPerSec).padStart(5),
        String(f.failed).padStart(6),
        String(f.timeouts).padStart(9),
        String(f.late).padStart(5),
        String(f.dropped).padStart(8),
        ok ? 'PASS' : 'FAIL',
      ].join('  '),
    );
  }
  console.log(`${pass ? 'PASS' : 'FAIL'}: achieved compute gas/s within ${TOLERANCE * 100}% of the target in every phase`);
  process.exitCode = pass ? 0 : 1;
} finally {
  await devnet.stop();
}
