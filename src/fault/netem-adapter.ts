// The netem adapter: latency, jitter, packet loss and bandwidth caps as a tc netem root qdisc on
// one network interface of this host (or of a network namespace). GasHammer's qdisc carries
// handle 4748: ("GH"), which is how clear and clearAll know it from anyone else's shaping,
// including one a crashed run left behind; another's root qdisc is never replaced.

import { readFileSync } from 'node:fs';
import { ErrorCodes } from '../errors/codes.js';
import { GasHammerError } from '../errors/gashammer-error.js';
import type { FaultSpec } from '../scenario/types.js';
import { ADAPTER_FAULT_TYPES, newHandleId, type FaultAdapter, type FaultApplication, type FaultHandle, type PreflightResult } from './adapter.js';
import {
  failureWords,
  findHostTool,
  formatCommandLine,
  HostCommandError,
  netAdminIssue,
  runHostCommand,
  toolWords,
  type ClearOutcome,
  type HostCommandResult,
} from './host-command.js';

/** The handle of every root qdisc GasHammer adds: 0x4748 is "GH". */
export const NETEM_HANDLE = '4748:';

/**
 * Root qdiscs the kernel puts on an interface by itself; netem may take their place (deleting
 * netem brings them back). noop is what an interface has until it is first brought up.
 */
const KERNEL_DEFAULT_QDISCS = ['noqueue', 'pfifo_fast', 'fq_codel', 'mq', 'fq', 'noop'];

/** The schema's interface-name pattern: also keeps an option-like word out of tc's arguments. */
const INTERFACE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$/;

export interface NetemAdapterOptions {
  /** Shape interfaces of this network namespace instead of the host's (tests use one). */
  readonly netns?: string;
  /** Told what deserves a log line but is no error (a qdisc someone else already removed). */
  readonly onNote?: (message: string) => void;
}

/** A root qdisc as `tc qdisc show` lists it. */
export interface RootQdisc {
  readonly dev: string;
  readonly kind: string;
  readonly handle: string;
  /** tc's line, for descriptions. */
  readonly line: string;
}

interface AppliedQdisc {
  readonly dev: string;
}

let probeCount = 0;

export class NetemAdapter implements FaultAdapter {
  readonly name = 'netem' as const;
  readonly supports = ADAPTER_FAULT_TYPES.netem;
  private readonly applied = new Map<string, AppliedQdisc>();
  private readonly netns: string | undefined;
  private readonly onNote: ((message: string) => void) | undefined;

  constructor(options: NetemAdapterOptions = {}) {
    this.netns = options.netns;
    this.onNote = options.onNote;
  }

  async preflight(): Promise<PreflightResult> {
    const issues: string[] = [];
    const hasTc = findHostTool('tc') !== undefined;
    if (!hasTc) issues.push('tc is not installed; install iproute2 (apt-get install iproute2) or use adapter: proxy');
    const capabilityIssue = netAdminIssue('netem');
    if (capabilityIssue !== undefined) issues.push(capabilityIssue);
    if (hasTc && capabilityIssue === undefined) {
      if (this.netns !== undefined) {
        const namespaceIssue = await this.namespaceIssue(this.netns);
        if (namespaceIssue !== undefined) issues.push(namespaceIssue);
      }
      const kernelIssue = await probeNetemQdisc();
      if (kernelIssue !== undefined) issues.push(kernelIssue);
    }
    return { adapter: this.name, ready: issues.length === 0, issues };
  }

  async inject(application: FaultApplication): Promise<FaultHandle> {
    const { spec } = application;
    const refuse = (reason: string, options: { details?: string; hint?: string; cause?: unknown } = {}): GasHammerError =>
      new GasHammerError(ErrorCodes.FaultInject, `netem could not inject fault '${spec.name}' (${spec.type}): ${reason}`, options);
    if (!this.supports.includes(spec.type)) throw refuse(`netem injects ${this.supports.join(', ')} only`, { hint: 'use adapter: proxy or iptables for this fault type' });
    const dev = spec.params.interface;
    if (typeof dev !== 'string' || !INTERFACE_PATTERN.test(dev)) {
      throw refuse(dev === undefined ? 'the fault names no interface to shape' : `${JSON.stringify(dev)} is not an interface name`, {
        hint: 'give the interface to shape as `interface` in the fault (e.g. interface: eth0); `ip link` lists them',
      });
    }
    const options = netemOptions(spec, refuse);

    let root: RootQdisc | undefined;
    try {
      root = await this.rootQdiscOf(dev);
    } catch (e) {
      throw refuse(`cannot read the qdiscs of interface ${dev}: ${failureWords(e)}`, { cause: e, hint: 'check the interface name with `ip link`' });
    }
    if (root !== undefined && root.handle === NETEM_HANDLE) {
      throw refuse(`interface ${dev} already carries GasHammer's netem qdisc (${root.line})`, {
        hint: `another netem fault is in force on ${dev}, or a crashed run left it: clear that fault first, or remove it with \`tc qdisc del dev ${dev} root handle ${NETEM_HANDLE}\``,
      });
    }
    if (root !== undefined && !this.defaultQdiscs().includes(root.kind)) {
      throw refuse(`interface ${dev} already has a root qdisc that is not GasHammer's (${root.line}); it is left as it is`, {
        hint: 'GasHammer does not replace shaping it did not add: shape another interface, remove that qdisc yourself if it is stale, or use adapter: proxy',
      });
    }

    const args = ['qdisc', 'add', 'dev', dev, 'root', 'handle', NETEM_HANDLE, 'netem', ...options];
    const result = await this.tc(args).catch((e: unknown) => {
      throw refuse(failureWords(e), { cause: e });
    });
    if (result.exitCode !== 0) throw refuse(`tc refused: ${toolWords(result)}`, { details: result.commandLine });

    const id = newHandleId(this.name);
    this.applied.set(id, { dev });
    return { id, adapter: this.name, application, description: result.commandLine };
  }

  async clear(handle: FaultHandle): Promise<void> {
    await this.clearWithOutcome(handle);
  }

  /**
   * Deletes the handle's qdisc if it is still GasHammer's. One already removed or replaced is
   * not an error (the fault is out of force); the outcome says so and onNote is told.
   */
  async clearWithOutcome(handle: FaultHandle): Promise<ClearOutcome> {
    const applied = this.applied.get(handle.id);
    if (applied === undefined) return 'not-active';
    const { dev } = applied;
    let root: RootQdisc | undefined;
    try {
      root = await this.rootQdiscOf(dev);
    } catch (e) {
      if (e instanceof HostCommandError && /cannot find device/i.test(e.toolMessage)) {
        this.applied.delete(handle.id);
        this.onNote?.(`interface ${dev} of fault '${handle.application.spec.name}' is gone, and its netem qdisc with it`);
        return 'already-gone';
      }
      throw clearFailure(handle.id, dev, failureWords(e), e);
    }
    // Someone removed or replaced it: what is there now is not ours to delete.
    if (root === undefined || root.handle !== NETEM_HANDLE) {
      this.applied.delete(handle.id);
      this.onNote?.(`the netem qdisc of fault '${handle.application.spec.name}' was already gone from ${dev} (now: ${root?.line ?? 'no root qdisc'}); left as it is`);
      return 'already-gone';
    }
    await this.deleteQdisc(handle.id, dev);
    this.applied.delete(handle.id);
    return 'removed';
  }

  async clearAll(): Promise<number> {
    const ours = await this.ourQdiscs();
    const failures: GasHammerError[] = [];
    let removed = 0;
    for (const q of ours) {
      try {
        await this.deleteQdisc('clearAll', q.dev);
        removed += 1;
      } catch (e) {
        failures.push(e as GasHammerError);
      }
    }
    this.applied.clear();
    if (failures.length > 0) {
      throw new GasHammerError(ErrorCodes.FaultClear, `netem could not remove ${failures.length} of GasHammer's qdiscs`, {
        details: failures.map((f) => f.details ?? f.shortMessage).join('\n'),
        cause: failures[0],
      });
    }
    return removed;
  }

  async active(): Promise<readonly string[]> {
    return (await this.ourQdiscs()).map((q) => q.line);
  }

  private async ourQdiscs(): Promise<RootQdisc[]> {
    let result: HostCommandResult;
    try {
      result = await this.tc(['qdisc', 'show']);
    } catch (e) {
      throw new GasHammerError(ErrorCodes.FaultClear, `netem could not list qdiscs: ${failureWords(e)}`, { cause: e });
    }
    if (result.exitCode !== 0) {
      throw new GasHammerError(ErrorCodes.FaultClear, `netem could not list qdiscs: ${toolWords(result)}`, { details: result.commandLine });
    }
    return parseRootQdiscs(result.stdout).filter((q) => q.handle === NETEM_HANDLE);
  }

  private async deleteQdisc(handleId: string, dev: string): Promise<void> {
    let result: HostCommandResult;
    try {
      result = await this.tc(['qdisc', 'del', 'dev', dev, 'root', 'handle', NETEM_HANDLE]);
    } catch (e) {
      throw clearFailure(handleId, dev, failureWords(e), e, formatCommandLine('tc', ['qdisc', 'del', 'dev', dev, 'root', 'handle', NETEM_HANDLE], this.netns));
    }
    if (result.exitCode !== 0) throw clearFailure(handleId, dev, toolWords(result), undefined, result.commandLine);
  }

  /** The root qdisc of `dev`; rejects with HostCommandError when tc cannot show it (no such device). */
  private async rootQdiscOf(dev: string): Promise<RootQdisc | undefined> {
    const result = await this.tc(['qdisc', 'show', 'dev', dev]);
    if (result.exitCode !== 0) throw new HostCommandError(result.commandLine, 'failed', toolWords(result), result.exitCode);
    return parseRootQdiscs(result.stdout, dev)[0];
  }

  private async namespaceIssue(netns: string): Promise<string | undefined> {
    try {
      const result = await this.tc(['qdisc', 'show']);
      if (result.exitCode === 0) return undefined;
      return `cannot use network namespace ${netns} (${result.commandLine}: ${toolWords(result)}); check that it exists (ip netns list)`;
    } catch (e) {
      return `cannot use network namespace ${netns}: ${failureWords(e)}`;
    }
  }

  /** The kernel's defaults, plus the one this host is configured to give new interfaces. */
  private defaultQdiscs(): string[] {
    try {
      const configured = readFileSync('/proc/sys/net/core/default_qdisc', 'utf8').trim();
      return configured === '' ? KERNEL_DEFAULT_QDISCS : [...KERNEL_DEFAULT_QDISCS, configured];
    } catch {
      return KERNEL_DEFAULT_QDISCS;
    }
  }

  private tc(args: readonly string[]): Promise<HostCommandResult> {
    return runHostCommand('tc', args, this.netns === undefined ? {} : { netns: this.netns });
  }
}

function clearFailure(handleId: string, dev: string, words: string, cause?: unknown, commandLine?: string): GasHammerError {
  return new GasHammerError(ErrorCodes.FaultClear, `netem could not remove GasHammer's qdisc from ${dev} (${handleId}): ${words}`, {
    details: commandLine ?? `tc qdisc del dev ${dev} root handle ${NETEM_HANDLE}`,
    hint: `check with \`tc qdisc show dev ${dev}\` and, if the netem ${NETEM_HANDLE} qdisc is still listed, remove it with \`tc qdisc del dev ${dev} root handle ${NETEM_HANDLE}\``,
    cause,
  });
}

/**
 * Root qdiscs in `tc qdisc show` output. Lines look like `qdisc <kind> <handle> [dev <dev>]
 * root ...`; `dev` is absent when the listing was for one device, which the caller then names.
 */
export function parseRootQdiscs(output: string, dev?: string): RootQdisc[] {
  const found: RootQdisc[] = [];
  for (const raw of output.split('\n')) {
    const line = raw.trim();
    const words = line.split(/\s+/);
    if (words[0] !== 'qdisc' || !words.includes('root')) continue;
    const kind = words[1];
    const handle = words[2];
    const devAt = words.indexOf('dev');
    const name = devAt >= 0 ? words[devAt + 1] : dev;
    if (kind === undefined || handle === undefined || name === undefined) continue;
    found.push({ dev: name, kind, handle, line });
  }
  return found;
}

type Refusal = (reason: string, options?: { hint?: string }) => GasHammerError;

/**
 * netem's options for a fault. Jitter means what the proxy makes of it, latency plus a uniformly
 * random extra of up to jitter_ms; netem spreads delays uniformly around a mean, so the mean
 * is latency + jitter/2 and the spread jitter/2 either side.
 */
export function netemOptions(spec: FaultSpec, refuse: Refusal = defaultRefusal(spec)): string[] {
  switch (spec.type) {
    case 'latency':
    case 'jitter': {
      const latency = millis(spec, 'latency_ms', spec.type === 'latency', refuse);
      const jitter = millis(spec, 'jitter_ms', spec.type === 'jitter', refuse);
      return jitter > 0 ? ['delay', `${latency + jitter / 2}ms`, `${jitter / 2}ms`] : ['delay', `${latency}ms`];
    }
    case 'packet-loss': {
      const pct = numberParam(spec, 'loss_pct', refuse);
      if (pct === undefined || pct < 0 || pct > 100) throw refuse('params.loss_pct must be a percentage from 0 to 100');
      return ['loss', `${pct}%`];
    }
    case 'bandwidth': {
      const kbps = numberParam(spec, 'rate_kbps', refuse);
      if (kbps === undefined || !Number.isInteger(kbps) || kbps < 1) throw refuse('params.rate_kbps must be a whole number of kilobits per second, at least 1');
      return ['rate', `${kbps}kbit`];
    }
    default:
      throw refuse(`netem cannot inject ${spec.type}`);
  }
}

function defaultRefusal(spec: FaultSpec): Refusal {
  return (reason, options = {}) => new GasHammerError(ErrorCodes.FaultInject, `netem could not inject fault '${spec.name}' (${spec.type}): ${reason}`, options);
}

function millis(spec: FaultSpec, key: string, required: boolean, refuse: Refusal): number {
  const value = numberParam(spec, key, refuse);
  if (value === undefined) {
    if (required) throw refuse(`params.${key} is required`);
    return 0;
  }
  if (value < 0) throw refuse(`params.${key} must not be negative`);
  return value;
}

function numberParam(spec: FaultSpec, key: string, refuse: Refusal): number | undefined {
  const value = spec.params[key];
  if (value === undefined) return undefined;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(n)) throw refuse(`params.${key} must be a number, not ${JSON.stringify(value)}`);
  return n;
}

/**
 * Whether the kernel has the netem qdisc, asked where a mistake changes nothing: netem is put on
 * the loopback of a throwaway namespace, which is deleted again whatever happens. Returns the
 * issue, or undefined when netem is there.
 */
async function probeNetemQdisc(): Promise<string | undefined> {
  probeCount += 1;
  const probe = `gh-probe-${process.pid}-${probeCount}`;
  let created: HostCommandResult;
  try {
    created = await runHostCommand('ip', ['netns', 'add', probe]);
  } catch (e) {
    return `could not check the kernel for the netem qdisc: ${failureWords(e)}`;
  }
  try {
    if (created.exitCode !== 0) return netemIssueWithoutProbe(toolWords(created));
    const added = await runHostCommand('tc', ['qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '1ms'], { netns: probe });
    if (added.exitCode === 0) return undefined;
    const words = toolWords(added);
    if (/qdisc kind is unknown/i.test(words)) {
      return `the kernel has no netem qdisc (tc: ${words}); load the sch_netem module (modprobe sch_netem; on Ubuntu it is in linux-modules-extra) or use adapter: proxy`;
    }
    return `the netem qdisc could not be added in a probe namespace (${added.commandLine}: ${words}); use adapter: proxy`;
  } catch (e) {
    return `could not check the kernel for the netem qdisc: ${failureWords(e)}`;
  } finally {
    if (created.exitCode === 0) await runHostCommand('ip', ['netns', 'delete', probe]).catch(() => undefined);
  }
}

/**
 * Where no namespace can be made (CAP_NET_ADMIN without CAP_SYS_ADMIN), a loaded sch_netem
 * module still answers the question; a module the kernel would load on demand does not show.
 */
function netemIssueWithoutProbe(namespaceWords: string): string | undefined {
  try {
    readFileSync('/sys/module/sch_netem/refcnt', 'utf8');
    return undefined;
  } catch {
    // not loaded as a module (or built in): the probe was the only way to know
  }
  return `could not check the kernel for the netem qdisc: no probe namespace could be created (ip netns add: ${namespaceWords}) and sch_netem is not loaded; run with CAP_SYS_ADMIN too, or load sch_netem (modprobe sch_netem), or use adapter: proxy`;
}
