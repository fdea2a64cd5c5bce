// The iptables adapter: connection resets and blocked ports as iptables rules on one TCP port
// of this host (or of a network namespace). Every rule carries the comment gashammer:<handle>,
// which is how clearAll finds GasHammer's rules, also those a crashed run left, and clear
// deletes by replaying the very arguments it inserted with.

import { ErrorCodes } from '../errors/codes.js';
import { GasHammerError } from '../errors/gashammer-error.js';
import type { FaultSpec, FaultType } from '../scenario/types.js';
import { ADAPTER_FAULT_TYPES, newHandleId, type FaultAdapter, type FaultApplication, type FaultHandle, type PreflightResult } from './adapter.js';
import { failureWords, findHostTool, formatCommandLine, netAdminIssue, runHostCommand, toolWords, type ClearOutcome, type HostCommandResult } from './host-command.js';

/** Every GasHammer rule's comment starts so; the handle id follows. */
export const RULE_COMMENT_PREFIX = 'gashammer:';
const DEFAULT_CHAIN = 'INPUT';

export interface IptablesAdapterOptions {
  /** Put the rules in this network namespace instead of the host's (tests use one). */
  readonly netns?: string;
  /** The filter-table chain the rules go in; INPUT (default) covers a target served on this host. */
  readonly chain?: string;
  /** The port of the fault's target endpoint, used when the fault names no port itself. */
  readonly defaultPort?: (spec: FaultSpec) => number | undefined;
  /** Told what deserves a log line but is no error (a rule someone else already removed). */
  readonly onNote?: (message: string) => void;
}

interface AppliedRule {
  /** The rule as inserted, after `-I <chain>`; `-C`/`-D` with the same words find exactly it. */
  readonly ruleArgs: readonly string[];
}

export class IptablesAdapter implements FaultAdapter {
  readonly name = 'iptables' as const;
  readonly supports = ADAPTER_FAULT_TYPES.iptables;
  readonly chain: string;
  private readonly applied = new Map<string, AppliedRule>();
  private readonly netns: string | undefined;
  private readonly defaultPort: ((spec: FaultSpec) => number | undefined) | undefined;
  private readonly onNote: ((message: string) => void) | undefined;

  constructor(options: IptablesAdapterOptions = {}) {
    this.netns = options.netns;
    this.chain = options.chain ?? DEFAULT_CHAIN;
    this.defaultPort = options.defaultPort;
    this.onNote = options.onNote;
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,28}$/.test(this.chain)) throw new GasHammerError(ErrorCodes.ConfigValue, `${JSON.stringify(this.chain)} is not an iptables chain name`);
  }

  async preflight(): Promise<PreflightResult> {
    const issues: string[] = [];
    const hasIptables = findHostTool('iptables') !== undefined;
    if (!hasIptables) issues.push('iptables is not installed; install it (apt-get install iptables) or use adapter: proxy');
    const capabilityIssue = netAdminIssue('iptables');
    if (capabilityIssue !== undefined) issues.push(capabilityIssue);
    if (hasIptables && capabilityIssue === undefined) {
      const listingIssue = await this.listingIssue();
      if (listingIssue !== undefined) issues.push(listingIssue);
      else {
        const ruleIssue = await this.ruleSupportIssue();
        if (ruleIssue !== undefined) issues.push(ruleIssue);
      }
    }
    return { adapter: this.name, ready: issues.length === 0, issues };
  }

  async inject(application: FaultApplication): Promise<FaultHandle> {
    const { spec } = application;
    const refuse = (reason: string, options: { details?: string; hint?: string; cause?: unknown } = {}): GasHammerError =>
      new GasHammerError(ErrorCodes.FaultInject, `iptables could not inject fault '${spec.name}' (${spec.type}): ${reason}`, options);
    if (!this.supports.includes(spec.type)) throw refuse(`iptables injects ${this.supports.join(', ')} only`, { hint: 'use adapter: proxy or netem for this fault type' });
    const port = this.portOf(spec, refuse);
    const id = newHandleId(this.name);
    const ruleArgs = ruleArguments(spec.type, port, id);
    const result = await this.iptables(['-I', this.chain, ...ruleArgs]).catch((e: unknown) => {
      throw refuse(failureWords(e), { cause: e });
    });
    if (result.exitCode !== 0) throw refuse(`iptables refused: ${toolWords(result)}`, { details: result.commandLine });
    this.applied.set(id, { ruleArgs });
    return { id, adapter: this.name, application, description: result.commandLine };
  }

  async clear(handle: FaultHandle): Promise<void> {
    await this.clearWithOutcome(handle);
  }

  /**
   * Deletes the handle's rule. A rule someone already deleted is not an error: the fault is out
   * of force either way; the outcome says so ('already-gone') and onNote is told.
   */
  async clearWithOutcome(handle: FaultHandle): Promise<ClearOutcome> {
    const applied = this.applied.get(handle.id);
    if (applied === undefined) return 'not-active';
    const check = await this.iptables(['-C', this.chain, ...applied.ruleArgs]).catch((e: unknown) => {
      throw this.clearFailure(handle.id, applied.ruleArgs, failureWords(e), e);
    });
    // -C answers 1 for "no such rule" and 2 or more when it could not look.
    if (check.exitCode === 1) {
      this.applied.delete(handle.id);
      this.onNote?.(`iptables rule ${RULE_COMMENT_PREFIX}${handle.id} of fault '${handle.application.spec.name}' was already gone from ${this.chain} (removed by someone else)`);
      return 'already-gone';
    }
    if (check.exitCode !== 0) throw this.clearFailure(handle.id, applied.ruleArgs, toolWords(check));
    await this.deleteRule(handle.id, applied.ruleArgs);
    this.applied.delete(handle.id);
    return 'removed';
  }

  async clearAll(): Promise<number> {
    const rules = await this.ourRules();
    const failures: GasHammerError[] = [];
    let removed = 0;
    for (const rule of rules) {
      try {
        await this.deleteRule(commentOf(rule) ?? 'clearAll', rule);
        removed += 1;
      } catch (e) {
        failures.push(e as GasHammerError);
      }
    }
    this.applied.clear();
    if (failures.length > 0) {
      throw new GasHammerError(ErrorCodes.FaultClear, `iptables could not remove ${failures.length} of GasHammer's rules in ${this.chain}`, {
        details: failures.map((f) => f.details ?? f.shortMessage).join('\n'),
        cause: failures[0],
      });
    }
    return removed;
  }

  async active(): Promise<readonly string[]> {
    return (await this.ourRules()).map((rule) => `-A ${this.chain} ${rule.join(' ')}`);
  }

  /** GasHammer's rules in the chain, as the arguments after `-A <chain>` of `iptables -S`. */
  private async ourRules(): Promise<string[][]> {
    let result: HostCommandResult;
    try {
      result = await this.iptables(['-S', this.chain]);
    } catch (e) {
      throw new GasHammerError(ErrorCodes.FaultClear, `iptables could not list chain ${this.chain}: ${failureWords(e)}`, { cause: e });
    }
    if (result.exitCode !== 0) {
      throw new GasHammerError(ErrorCodes.FaultClear, `iptables could not list chain ${this.chain}: ${toolWords(result)}`, { details: result.commandLine });
    }
    return ruleLines(result.stdout, this.chain).filter((rule) => commentOf(rule)?.startsWith(RULE_COMMENT_PREFIX) === true);
  }

  private async deleteRule(handleId: string, ruleArgs: readonly string[]): Promise<void> {
    const result = await this.iptables(['-D', this.chain, ...ruleArgs]).catch((e: unknown) => {
      throw this.clearFailure(handleId, ruleArgs, failureWords(e), e);
    });
    if (result.exitCode !== 0) throw this.clearFailure(handleId, ruleArgs, toolWords(result));
  }

  private portOf(spec: FaultSpec, refuse: (reason: string, options?: { hint?: string }) => GasHammerError): number {
    const given = spec.params.port;
    const port = given === undefined ? this.defaultPort?.(spec) : Number(given);
    if (port === undefined) {
      throw refuse('there is no port to act on: the fault names none and its target endpoint has none', {
        hint: 'give the TCP port as `port` in the fault, or give the target endpoint URL a port',
      });
    }
    if (!Number.isInteger(port) || port < 1 || port > 65_535) throw refuse(`${JSON.stringify(given ?? port)} is not a TCP port (1-65535)`);
    return port;
  }

  private clearFailure(handleId: string, ruleArgs: readonly string[], words: string, cause?: unknown): GasHammerError {
    const rule = ruleArgs.join(' ');
    return new GasHammerError(ErrorCodes.FaultClear, `iptables could not remove GasHammer's rule ${handleId} from ${this.chain}: ${words}`, {
      details: formatCommandLine('iptables', ['-w', '-D', this.chain, ...ruleArgs], this.netns),
      hint: `check with \`iptables -S ${this.chain}\` and, if the rule is still listed, remove it with \`iptables -D ${this.chain} ${rule}\``,
      cause,
    });
  }

  /** The chain can be listed: the table exists and this process may read it. */
  private async listingIssue(): Promise<string | undefined> {
    try {
      const result = await this.iptables(['-S', this.chain]);
      if (result.exitCode === 0) return undefined;
      return `cannot list the iptables chain ${this.chain} (${result.commandLine}: ${toolWords(result)})${this.netns === undefined ? '' : `; check that network namespace ${this.netns} exists`}`;
    } catch (e) {
      return `cannot list the iptables chain ${this.chain}: ${failureWords(e)}`;
    }
  }

  /**
   * Asks iptables whether a rule shaped like GasHammer's exists (-C changes nothing): "no such
   * rule" means it understood the comment match and REJECT target; anything else means a
   * needed kernel extension is missing.
   */
  private async ruleSupportIssue(): Promise<string | undefined> {
    const probe = ruleArguments('connection-reset', 9, 'preflight');
    try {
      const result = await this.iptables(['-C', this.chain, ...probe]);
      if (result.exitCode <= 1) return undefined;
      return `iptables cannot build GasHammer's rules (${result.commandLine}: ${toolWords(result)}); the kernel needs the comment match and the REJECT target (xt_comment, nft_reject)`;
    } catch (e) {
      return `iptables cannot build GasHammer's rules: ${failureWords(e)}`;
    }
  }

  /** `-w`: wait for the xtables lock rather than fail while another tool edits the rules. */
  private iptables(args: readonly string[]): Promise<HostCommandResult> {
    return runHostCommand('iptables', ['-w', ...args], this.netns === undefined ? {} : { netns: this.netns });
  }
}

/** The rule for a fault, after `-I <chain>`: match the TCP port, mark it as GasHammer's, act. */
export function ruleArguments(type: FaultType, port: number, handleId: string): string[] {
  const match = ['-p', 'tcp', '--dport', String(port), '-m', 'comment', '--comment', `${RULE_COMMENT_PREFIX}${handleId}`];
  switch (type) {
    case 'connection-reset':
      return [...match, '-j', 'REJECT', '--reject-with', 'tcp-reset'];
    case 'port-block':
      return [...match, '-j', 'DROP'];
    default:
      throw new GasHammerError(ErrorCodes.FaultInject, `iptables cannot inject ${type}`);
  }
}

/** The rules of `chain` in `iptables -S` output, each as its words after `-A <chain>`. */
export function ruleLines(output: string, chain: string): string[][] {
  const rules: string[][] = [];
  for (const line of output.split('\n')) {
    const words = splitRuleLine(line);
    if (words[0] === '-A' && words[1] === chain) rules.push(words.slice(2));
  }
  return rules;
}

/** The value of a rule's `--comment`, if it has one. */
export function commentOf(ruleArgs: readonly string[]): string | undefined {
  const at = ruleArgs.indexOf('--comment');
  return at >= 0 ? ruleArgs[at + 1] : undefined;
}

/**
 * Splits an `iptables -S` line into the words iptables was given. It double-quotes a word with
 * spaces or quotes (a comment) and backslash-escapes quotes inside, as a shell would read them.
 */
export function splitRuleLine(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const c = line[i] as string;
    if (c === '\\' && i + 1 < line.length) {
      word += line[i + 1];
      inWord = true;
      i += 1;
    } else if (c === '"') {
      quoted = !quoted;
      inWord = true;
    } else if (!quoted && /\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}
