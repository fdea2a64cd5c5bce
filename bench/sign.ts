// Signing throughput of the edge's EIP-1559 signer on one core: the native (libsecp256k1) and
// noble backends of src/edge/signer.ts against viem's signTransaction, all in one process, so
// the ratios are taken under the same load. The machine is shared and noisy, so the work is
// split into rounds with the backends interleaved, and the medians of the per-round figures are
// reported. Each backend signs and serialises `--count` transactions per variant in all.
//
// Two rates per backend: per wall-clock second, and per CPU-second of this process (user +
// system, all threads). On a quiet machine they agree; when neighbours take the core, wall
// figures measure the neighbours and the CPU rate is what one core of ours signs. The target
// is judged on the CPU rate, and the run says how much of a core it got.
//
//   node build/bench/sign.js [--count 50000] [--rounds 5] [--target 15000]
//
// Ends with exit code 1 when the native backend is below the target (or not in use).

import { parseArgs } from 'node:util';
import { keccak_256 } from '@noble/hashes/sha3';
import { bytesToHex, type Hex } from 'viem';
import { privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import {
  nativeSignerUnavailableReason,
  signEip1559,
  signerBackend,
  type Eip1559Fields,
  type SignerBackend,
} from '../src/edge/signer.js';

type Contender = SignerBackend | 'viem';
const CONTENDERS: readonly Contender[] = ['native', 'noble', 'viem'];
const ACCOUNTS = 64;
const CHAIN_ID = 412346;

interface Variant {
  readonly name: string;
  readonly data: Uint8Array;
}

interface Job {
  readonly fields: Eip1559Fields;
  readonly key: Uint8Array;
  readonly account: PrivateKeyAccount;
  readonly dataHex: Hex;
}

function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      count: { type: 'string', default: '50000' },
      rounds: { type: 'string', default: '5' },
      target: { type: 'string', default: '15000' },
    },
  });
  const count = positiveInt(values.count, 'count');
  const rounds = positiveInt(values.rounds, 'rounds');
  const target = positiveInt(values.target, 'target');
  return run(count, rounds, target);
}

async function run(count: number, rounds: number, target: number): Promise<void> {
  const perRound = Math.ceil(count / rounds);
  const nativeReason = nativeSignerUnavailableReason();
  console.log(
    `sign bench: node ${process.version} ${process.platform}-${process.arch}, default signer backend ${signerBackend()}` +
      `${nativeReason === undefined ? '' : ` (${nativeReason})`}`,
  );
  console.log(`${count} tx per backend per variant, ${rounds} rounds of ${perRound}, one core\n`);

  const calldata = new Uint8Array(100).map((_, i) => (i * 37 + 11) & 0xff);
  const variants: Variant[] = [
    { name: 'transfer', data: new Uint8Array(0) },
    { name: 'calldata-100', data: calldata },
  ];
  const contenders = CONTENDERS.filter((c) => c !== 'native' || nativeReason === undefined);

  const medians = new Map<string, number>();
  const lines: string[] = [];
  let wallTotal = 0;
  let cpuTotal = 0;
  for (const variant of variants) {
    const jobs = makeJobs(perRound, variant.data);
    await checkIdentical(jobs.slice(0, 50), contenders);
    for (const c of contenders) await signAll(c, jobs.slice(0, 300)); // warm-up: JIT, noble's tables

    const wall = new Map<Contender, number[]>(contenders.map((c) => [c, []]));
    const cpu = new Map<Contender, number[]>(contenders.map((c) => [c, []]));
    const ratios = { native: [] as number[], noble: [] as number[] };
    for (let r = 0; r < rounds; r++) {
      // Rotate the order so no backend always runs first (or last) in a round.
      const order = contenders.map((_, i) => contenders[(i + r) % contenders.length] as Contender);
      const round = new Map<Contender, number>();
      for (const c of order) {
        const cpuStart = process.cpuUsage();
        const start = process.hrtime.bigint();
        await signAll(c, jobs);
        const seconds = Number(process.hrtime.bigint() - start) / 1e9;
        const used = process.cpuUsage(cpuStart);
        const cpuSeconds = (used.user + used.system) / 1e6;
        wall.get(c)?.push(jobs.length / seconds);
        cpu.get(c)?.push(jobs.length / cpuSeconds);
        round.set(c, jobs.length / cpuSeconds);
        wallTotal += seconds;
        cpuTotal += cpuSeconds;
      }
      const viem = round.get('viem') ?? NaN;
      if (round.has('native')) ratios.native.push((round.get('native') ?? NaN) / viem);
      ratios.noble.push((round.get('noble') ?? NaN) / viem);
    }

    for (const c of contenders) {
      const perCpu = cpu.get(c) ?? [];
      const perWall = wall.get(c) ?? [];
      medians.set(`${variant.name}/${c}`, median(perCpu));
      lines.push(
        `${variant.name.padEnd(13)} ${c.padEnd(7)} ${fmt(median(perCpu)).padStart(8)} tx/cpu-s ` +
          `${fmt(median(perWall)).padStart(8)} tx/wall-s  (cpu rounds: ${perCpu.map(fmt).join(', ')})`,
      );
    }
    const nativeRatio = ratios.native.length > 0 ? `${median(ratios.native).toFixed(2)}x` : 'n/a';
    lines.push(
      `${variant.name.padEnd(13)} ratios  native/viem ${nativeRatio}  noble/viem ${median(ratios.noble).toFixed(2)}x` +
        '  (median of per-round ratios, CPU rates)',
      '',
    );
  }
  console.log(lines.join('\n'));
  const share = cpuTotal / wallTotal;
  console.log(
    `CPU share while timing: ${(100 * share).toFixed(0)}% of a core` +
      (share < 0.9 ? ' (the machine is busy: wall-clock rates understate what one core signs)' : ''),
  );

  const failures: string[] = [];
  if (nativeReason !== undefined) failures.push(`native backend not in use: ${nativeReason}`);
  for (const v of variants) {
    const rate = medians.get(`${v.name}/native`);
    if (rate !== undefined && rate < target) failures.push(`${v.name} ${fmt(rate)} tx/cpu-s`);
  }
  const summary = variants.map((v) => `${v.name} ${fmt(medians.get(`${v.name}/native`) ?? 0)}`).join(', ');
  if (failures.length === 0) {
    console.log(`PASS native >= ${fmt(target)} tx/s on one core (${summary} tx/cpu-s)`);
  } else {
    console.log(`FAIL native >= ${fmt(target)} tx/s on one core: ${failures.join('; ')}`);
    process.exitCode = 1;
  }
}

/** Round-robin over ACCOUNTS senders with rising nonces; fees and values like a busy L2. */
function makeJobs(n: number, data: Uint8Array): Job[] {
  const keys = Array.from({ length: ACCOUNTS }, (_, i) => keccak_256(new TextEncoder().encode(`gashammer bench key ${i}`)));
  const accounts = keys.map((k) => privateKeyToAccount(bytesToHex(k)));
  const dataHex = bytesToHex(data);
  const jobs: Job[] = [];
  for (let i = 0; i < n; i++) {
    const a = i % ACCOUNTS;
    const to = bytesToHex(keccak_256(new Uint8Array([a, i & 0xff])).subarray(12));
    jobs.push({
      key: keys[a] as Uint8Array,
      account: accounts[a] as PrivateKeyAccount,
      dataHex,
      fields: {
        chainId: CHAIN_ID,
        nonce: Math.floor(i / ACCOUNTS),
        maxPriorityFeePerGas: 0n,
        maxFeePerGas: 100_000_000n + BigInt(i % 1000),
        gas: data.length === 0 ? 21_000n : 60_000n,
        to,
        value: 1_000_000_000_000n + BigInt(i),
        data,
      },
    });
  }
  return jobs;
}

async function signOne(c: Contender, job: Job): Promise<Hex> {
  if (c !== 'viem') return signEip1559(job.fields, job.key, c).rawHex;
  const f = job.fields;
  return job.account.signTransaction({
    type: 'eip1559',
    chainId: f.chainId,
    nonce: f.nonce,
    maxPriorityFeePerGas: f.maxPriorityFeePerGas,
    maxFeePerGas: f.maxFeePerGas,
    gas: f.gas,
    to: f.to,
    value: f.value,
    data: job.dataHex,
  });
}

async function signAll(c: Contender, jobs: readonly Job[]): Promise<void> {
  let bytes = 0;
  if (c === 'viem') {
    for (const job of jobs) bytes += (await signOne(c, job)).length;
  } else {
    // Synchronous, as the edge calls it: no promise per transaction.
    for (const job of jobs) bytes += signEip1559(job.fields, job.key, c).raw.length;
  }
  if (bytes === 0) throw new Error('nothing was signed');
}

/** The contest is only fair if everyone produces the same bytes. */
async function checkIdentical(jobs: readonly Job[], contenders: readonly Contender[]): Promise<void> {
  for (const job of jobs) {
    const outputs = await Promise.all(contenders.map((c) => signOne(c, job)));
    if (new Set(outputs).size !== 1) throw new Error(`backends disagree on nonce ${job.fields.nonce}: ${outputs.join(' ')}`);
  }
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? NaN) : ((s[mid - 1] ?? NaN) + (s[mid] ?? NaN)) / 2;
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function positiveInt(text: string, name: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n <= 0) throw new RangeError(`--${name} must be a positive integer, got ${text}`);
  return n;
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
