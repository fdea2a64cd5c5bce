// The registry of every GasHammer error code. A code is stable once published: it may gain
// words, never a new meaning. docs/errors.md is generated from this table.

import { ExitCode } from './exit-codes.js';

export type Subsystem =
  | 'common'
  | 'chain'
  | 'edge'
  | 'hive'
  | 'workload'
  | 'telemetry'
  | 'oracle'
  | 'fault'
  | 'report'
  | 'scenario'
  | 'action';

/** Code ranges per subsystem, inclusive. */
export const SUBSYSTEM_RANGES: Record<Subsystem, readonly [number, number]> = {
  common: [1, 99],
  chain: [100, 199],
  edge: [200, 299],
  hive: [300, 399],
  workload: [400, 499],
  telemetry: [500, 599],
  oracle: [600, 699],
  fault: [700, 799],
  report: [800, 899],
  scenario: [900, 949],
  action: [950, 999],
};

export interface ErrorCodeInfo {
  readonly code: string;
  readonly subsystem: Subsystem;
  /** One line: what went wrong, in general. */
  readonly title: string;
  /** What the user should do about it. */
  readonly hint: string;
  /** The exit code a command ends with when this error stops it. */
  readonly exitCode: ExitCode;
}

function entry(
  code: string,
  subsystem: Subsystem,
  title: string,
  hint: string,
  exitCode: ExitCode,
): ErrorCodeInfo {
  return { code, subsystem, title, hint, exitCode };
}

export const ErrorCodes = {
  // common E001-E099
  ConfigFile: entry(
    'GH-E001',
    'common',
    'A configuration file could not be read or is not valid TOML.',
    'Check the path given to --config and the TOML syntax at the position shown.',
    ExitCode.InvalidInput,
  ),
  ConfigValue: entry(
    'GH-E002',
    'common',
    'A configuration value (from a file, a GASHAMMER_* environment variable or a flag) is invalid.',
    'Fix the value at the field path shown; docs/configuration.md lists every field, its type and default.',
    ExitCode.InvalidInput,
  ),
  Usage: entry(
    'GH-E003',
    'common',
    'The command line is invalid: an unknown command or option, or a missing or malformed argument.',
    'Run the command with --help to see its arguments and options.',
    ExitCode.InvalidInput,
  ),
  Internal: entry(
    'GH-E004',
    'common',
    'GasHammer hit an internal error (a bug).',
    'Report it with the command you ran, its full output and the output of `gashammer --version`.',
    ExitCode.Internal,
  ),
  OutputWrite: entry(
    'GH-E005',
    'common',
    'An output file or directory could not be written.',
    'Check that the output directory exists or can be created, and that it is writable.',
    ExitCode.InvalidInput,
  ),
  NotAvailableYet: entry(
    'GH-E006',
    'common',
    'This command is part of GasHammer but is not built yet in this version.',
    'See the README for what this version can do: `validate`, `plan` and `devnet` work today.',
    ExitCode.Internal,
  ),

  // chain E100-E199
  RpcTransport: entry(
    'GH-E100',
    'chain',
    'A JSON-RPC request failed at the transport level (connection refused or reset, HTTP error, bad response).',
    'Check that the RPC URL is right and the node is up; the message names the method and the redacted URL.',
    ExitCode.Unreachable,
  ),
  RpcTimeout: entry(
    'GH-E101',
    'chain',
    'A JSON-RPC request got no answer within its timeout.',
    'The node is overloaded or unreachable; raise nitro.rpc.timeout_ms only if the node is known to be slow.',
    ExitCode.Unreachable,
  ),
  NonceTooLow: entry('GH-E102', 'chain', 'The node rejected a transaction: nonce too low.', 'Another sender is using the same account, or a previous transaction was included; GasHammer re-reads the nonce.', ExitCode.Internal),
  NonceTooHigh: entry('GH-E103', 'chain', 'The node rejected a transaction: nonce too high (a gap).', 'An earlier transaction of the account was dropped; GasHammer re-reads the nonce.', ExitCode.Internal),
  Underpriced: entry('GH-E104', 'chain', 'The node rejected a transaction as underpriced (fee below the base fee or the replacement rule).', 'Check the chain\'s minimum gas price; the fee cap may be too low for the current base fee.', ExitCode.Internal),
  IntrinsicGasTooLow: entry('GH-E105', 'chain', 'The node rejected a transaction: intrinsic gas too low (on Nitro, often the L1 component).', 'Gas limits come from calibration with eth_estimateGas; on a Nitro dev chain, set the L1 price to 0.', ExitCode.Internal),
  InsufficientFunds: entry('GH-E106', 'chain', 'The node rejected a transaction: the account cannot pay for gas and value.', 'Fund the GasHammer accounts (the devnet does it; elsewhere set GASHAMMER_FUNDER_KEY).', ExitCode.Internal),
  ExecutionReverted: entry('GH-E107', 'chain', 'A call or gas estimate reverted.', 'Check the contract and the call data; the message carries the revert reason when the node gives one.', ExitCode.Internal),
  RateLimited: entry('GH-E108', 'chain', 'The node refused the request for load (HTTP 429 or a rate-limit error).', 'Lower the gas rate or use an endpoint without a rate limit.', ExitCode.Internal),
  TxRejected: entry('GH-E109', 'chain', 'The node rejected a transaction for another reason (already known, pool full, invalid, ...).', 'The message gives the node\'s own words.', ExitCode.Internal),
  RpcNodeError: entry(
    'GH-E117',
    'chain',
    'The node answered a read request with an error (method not supported or not enabled, state pruned, invalid parameters).',
    'Check that the node serves the method (e.g. eth_getBlockReceipts, the arb or debug APIs) and keeps the state asked for.',
    ExitCode.Unreachable,
  ),
  ChainIdMismatch: entry('GH-E110', 'chain', 'The chain answered with a different chain id than expected.', 'Point GasHammer at the right endpoint or fix target.chain_id in the scenario.', ExitCode.InvalidInput),
  FeedMessageInvalid: entry('GH-E111', 'chain', 'A sequencer-feed message could not be decoded (bad JSON, bad base64, or a malformed L2 message).', 'The feed is not speaking Nitro\'s BroadcastMessage format, or the message was cut; the message says where.', ExitCode.InvalidInput),
  FeedConnection: entry('GH-E112', 'chain', 'The sequencer-feed WebSocket could not be reached or was refused.', 'Check the feed URL (ws:// or wss://) and that the node runs with its feed output enabled.', ExitCode.Unreachable),
  L1Read: entry('GH-E113', 'chain', 'Reading Nitro\'s L1 contracts (SequencerInbox, rollup) failed.', 'Check the L1 RPC URL and the contract addresses.', ExitCode.Unreachable),
  DevnetStart: entry('GH-E114', 'chain', 'The embedded devnet (anvil) could not be started or did not become ready.', 'Run `npm ci` again so the anvil binary is installed; the message says what anvil printed.', ExitCode.Unreachable),
  ContainerRuntime: entry('GH-E115', 'chain', 'No container runtime (Docker) is available for the Nitro devnet container.', 'Use the embedded devnet (target: devnet), or run where Docker is available (GitHub-hosted runners have it).', ExitCode.Unreachable),
  ContractDeploy: entry('GH-E116', 'chain', 'Deploying the test contracts to the devnet failed.', 'The devnet may not have started cleanly; the message names the contract and the node\'s answer.', ExitCode.Unreachable),

  // edge E200-E299
  EdgeRegistration: entry('GH-E200', 'edge', 'The edge could not register with the hive (hive unreachable, refused, or the protocol versions differ).', 'Check --hive host:port and that `gashammer hive` runs there; the message names the address and the gRPC status.', ExitCode.Unreachable),
  EdgeRunFailed: entry('GH-E201', 'edge', 'The edge could not prepare or play its part of a run.', 'The message says which step failed (funding, calibration, the target); the hive marks the edge failed and the report names it.', ExitCode.Internal),
  EdgeAssignmentInvalid: entry('GH-E202', 'edge', 'The run assignment the hive sent could not be used (scenario does not compile, edge index out of range, plan hash differs).', 'Hive and edge must run the same GasHammer version; `gashammer --version` on both tells.', ExitCode.InvalidInput),

  // hive E300-E399
  Orchestration: entry('GH-E300', 'hive', 'The hive could not carry the run through (preflight failed or the run lost every edge).', 'The message says which stage failed; the report, when written, lists each edge and why it stopped.', ExitCode.Internal),
  NotEnoughEdges: entry('GH-E301', 'hive', 'Fewer idle edges are registered with the hive than the run needs.', 'Start more edges with `gashammer edge --hive host:port`, or lower edges.count / --edges.', ExitCode.Unreachable),
  ApiBadRequest: entry('GH-E302', 'hive', 'A REST request is invalid: malformed JSON, a missing or wrong field, or a body over the size limit.', 'The response names the field and what was expected; docs/api.md lists every route and body.', ExitCode.InvalidInput),
  ApiNotFound: entry('GH-E303', 'hive', 'The REST route, scenario, run or edge does not exist.', 'GET /scenarios, /runs and /edges list what exists.', ExitCode.InvalidInput),
  RunConflict: entry('GH-E304', 'hive', 'The request conflicts with the state of a run (a run is already active, or the report is not ready yet).', 'Wait for the active run to end (GET /runs/{id}) or cancel it (DELETE /runs/{id}).', ExitCode.InvalidInput),
  HiveBind: entry('GH-E305', 'hive', 'The hive could not listen on its REST or gRPC port.', 'Another process may hold the port: pick others with --rest-port / --grpc-port, or 0 for any free port.', ExitCode.Unreachable),

  // telemetry E500-E599
  EventShipping: entry('GH-E500', 'telemetry', 'The edge could not ship telemetry to the hive.', 'The hive may be down or overloaded; events stay in the edge\'s ring buffer until it is full, then the oldest are dropped and counted.', ExitCode.Unreachable),
  StorageWrite: entry('GH-E501', 'telemetry', 'Writing telemetry to Parquet failed.', 'Check that the data directory is writable and the disk is not full; the message names the file.', ExitCode.Internal),
  TelemetryRead: entry('GH-E503', 'telemetry', 'A telemetry Parquet file could not be read (missing, truncated, or not written by GasHammer).', 'Point at a run folder written by `gashammer run` or the hive; a run cut short by a crash may have left a partial file.', ExitCode.InvalidInput),

  // oracle E600-E649
  UnknownInvariant: entry(
    'GH-E600',
    'oracle',
    'An invariant the correctness oracle was asked to check does not exist.',
    'Use balance-conservation, nonce-monotonicity or gas-accounting (oracle.invariants in the scenario); docs/oracle.md says what each checks.',
    ExitCode.InvalidInput,
  ),

  // fault E700-E799
  FaultInject: entry(
    'GH-E700',
    'fault',
    'A fault could not be injected (the proxy route, tc or iptables refused it).',
    'The message names the fault and what the adapter answered; nothing of the fault was left in place. Check the adapter with its preflight (the run log lists it).',
    ExitCode.Internal,
  ),
  FaultClear: entry(
    'GH-E701',
    'fault',
    'A fault could not be cleared: a qdisc, iptables rule or proxy fault may still be in force.',
    'The message names the exact rule; remove it by hand (`tc qdisc del ...`, `iptables -D ...`) if it is still listed, then report the bug.',
    ExitCode.Internal,
  ),
  FaultSchedule: entry(
    'GH-E702',
    'fault',
    'The fault schedule cannot be played on this run (a clear names no active fault, or a fault needs a route the target does not have).',
    'Fix the fault_schedule entry the message names; `gashammer plan <file>` prints the timeline as it will run.',
    ExitCode.InvalidInput,
  ),
  FaultPreflight: entry(
    'GH-E703',
    'fault',
    'A fault adapter the schedule needs cannot run here (missing tool, missing CAP_NET_ADMIN, kernel without the qdisc), so the run was blocked before any load.',
    'The message lists every reason; use the proxy adapter (no privileges), run as root with CAP_NET_ADMIN, or remove the fault.',
    ExitCode.Unreachable,
  ),
  FaultEnvironment: entry(
    'GH-E704',
    'fault',
    'The fault schedule may not run against this target\'s environment (it is not in allowed_environments, or it is in blocked_environments).',
    'Faults run only against environments marked for them: set target.environment, or the fault event\'s allowed_environments, on purpose.',
    ExitCode.InvalidInput,
  ),

  // workload E400-E499
  AccountDerivation: entry(
    'GH-E400',
    'workload',
    'The load accounts could not be derived: the mnemonic is not a valid BIP-39 phrase, or the derivation path or account range is invalid.',
    'Check accounts.mnemonic (12-24 English words; the value is secret and never shown), accounts.derivation_base (e.g. m/44\'/60\'/0\'/0\'/18248) and the account range.',
    ExitCode.InvalidInput,
  ),
  FundingFailed: entry(
    'GH-E401',
    'workload',
    'Funding the load accounts failed: the funder cannot pay, or a funding transaction was rejected, reverted or never included.',
    'The message names the account and batch; top up the funder account if it is short, then run again: funding skips accounts that already hold enough.',
    ExitCode.Internal,
  ),
  FunderKeyMissing: entry(
    'GH-E402',
    'workload',
    'No funder key is set, so the load accounts cannot be funded on this chain.',
    'Set GASHAMMER_FUNDER_KEY to the private key of a funded account (the embedded devnet needs none: it uses its faucet).',
    ExitCode.InvalidInput,
  ),
  FunderKeyInvalid: entry(
    'GH-E403',
    'workload',
    'The funder key is not a valid secp256k1 private key (32 bytes as 64 hex digits, optionally 0x-prefixed).',
    'Check GASHAMMER_FUNDER_KEY; the value is secret and never shown, not even in part.',
    ExitCode.InvalidInput,
  ),
  SweepFailed: entry(
    'GH-E404',
    'workload',
    'Sweeping the load accounts back failed: a sweep transaction was rejected, reverted or never included.',
    'The message names the account; run `gashammer sweep` again once no load runs from these accounts: it skips accounts already empty.',
    ExitCode.Internal,
  ),

  // report E800-E899; baselines and the gate verdict E800-E819
  ReportRead: entry(
    'GH-E800',
    'report',
    'A run report could not be read, is not JSON, or is not a GasHammer report of version 2.',
    'Point at the report.json a run wrote (<out>/runs/<run id>/report.json); the message names the field that is wrong.',
    ExitCode.InvalidInput,
  ),
  BaselineInvalid: entry(
    'GH-E801',
    'report',
    'A baseline file is not JSON or not in the baseline format (hand-edited, corrupt, or cut short).',
    'Fix the field shown, or restore the file from git, or delete it and save a new baseline with `gashammer baseline save`; docs/baselines.md describes the format.',
    ExitCode.InvalidInput,
  ),
  BaselineBranch: entry(
    'GH-E802',
    'report',
    'A branch name cannot name a baseline: it is empty, too long, absolute, has an empty, `.` or `..` part, or a control character.',
    'Pass the branch name as git shows it, e.g. `--branch main` or `--branch feature/x`.',
    ExitCode.InvalidInput,
  ),
  BaselineNotFound: entry(
    'GH-E803',
    'report',
    'A baseline file does not exist where it was asked for, or could not be read.',
    'Check the path given to --baseline (or --dir and --branch) and that the file is readable; `--branch <name>` finds a baseline under the baselines folder.',
    ExitCode.InvalidInput,
  ),
  BaselineMismatch: entry(
    'GH-E804',
    'report',
    'The baseline or scenario file given belongs to another scenario than the report.',
    'Compare a report with a baseline of the same scenario; `--branch` finds it by the report\'s scenario name.',
    ExitCode.InvalidInput,
  ),

  // report engine E820-E839
  RunFolder: entry(
    'GH-E820',
    'report',
    'A run folder is incomplete: its run record, scenario copy or chain snapshots are missing or malformed.',
    'Point at a folder written by `gashammer run` or the hive (<out>/runs/<run id>/); the message names the file that is wrong.',
    ExitCode.InvalidInput,
  ),

  // scenario E900-E949
  ScenarioRead: entry(
    'GH-E900',
    'scenario',
    'The scenario file could not be read.',
    'Check the path; a scenario is a UTF-8 YAML file of at most 1 MiB.',
    ExitCode.InvalidInput,
  ),
  ScenarioSyntax: entry(
    'GH-E901',
    'scenario',
    'The scenario file is not valid YAML, or is empty, binary or not one YAML document.',
    'Fix the YAML at the position shown; docs/sdl.md has complete examples.',
    ExitCode.InvalidInput,
  ),
  ScenarioSchema: entry(
    'GH-E902',
    'scenario',
    'A scenario field has the wrong type, is missing, is unknown, or is out of range.',
    'Fix the field at the path shown; docs/sdl.md lists every field with its type and default, and docs/scenario.schema.json can drive your editor.',
    ExitCode.InvalidInput,
  ),
  ScenarioSemantic: entry(
    'GH-E903',
    'scenario',
    'The scenario is well-formed but inconsistent (unknown template, impossible fault schedule, duplicate names, ...).',
    'Fix the field at the path shown so that the parts of the scenario agree with each other.',
    ExitCode.InvalidInput,
  ),
  GateExpression: entry(
    'GH-E904',
    'scenario',
    'A gate threshold is not of the form `<metric> <operator> <number>`, or names an unknown metric.',
    'Write thresholds like `p99_inclusion_ms < 2000`; docs/sdl.md#gate lists the metrics and operators.',
    ExitCode.InvalidInput,
  ),
  ScenarioCompile: entry(
    'GH-E905',
    'scenario',
    'The scenario could not be compiled into a run plan with the options given.',
    'Check the overrides passed on the command line (for example --edges) against the scenario.',
    ExitCode.InvalidInput,
  ),

  // GitHub Action E950-E999
  ActionInput: entry(
    'GH-E950',
    'action',
    'An input of the GasHammer Action is missing, unknown or malformed (a boolean that is not true/false, a value outside its list, a number out of range).',
    'Fix the `with:` entry named in the message; action.yml and docs/action.md list every input with its format and default.',
    ExitCode.InvalidInput,
  ),
  ActionEvent: entry(
    'GH-E951',
    'action',
    'The workflow event cannot drive the Action: its payload is missing or unreadable, or the event does not fit the mode (e.g. `publish` outside workflow_run).',
    'Run the Action on pull_request, push, merge_group or workflow_run (mode: publish); docs/action.md shows the workflows.',
    ExitCode.InvalidInput,
  ),
  GitHubApi: entry(
    'GH-E952',
    'action',
    'A GitHub API request failed (other than a read-only token refusing to write, which falls back to the job summary).',
    'Check the token\'s permissions (checks: write, pull-requests: write, contents: write for the branch store) and GitHub\'s status; the message names the request.',
    ExitCode.Unreachable,
  ),
  BaselineBranchWrite: entry(
    'GH-E953',
    'action',
    'A baseline could not be written to the baselines data branch: other writers kept changing it, or the branch could not be created.',
    'Re-run the job; if it persists, check that the token may push to the data branch (contents: write) and that no branch protection rule blocks it.',
    ExitCode.Unreachable,
  ),
  PublishResults: entry(
    'GH-E954',
    'action',
    'The Action in publish mode found no results to post: the results folder is missing, or holds no report.json and publish.json.',
    'Download the artifact the test workflow uploaded (actions/download-artifact with run-id) into the folder given as `results`; docs/action.md shows the two workflows.',
    ExitCode.InvalidInput,
  ),
} as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCodeName = keyof typeof ErrorCodes;

export function allErrorCodes(): ErrorCodeInfo[] {
  return Object.values(ErrorCodes).sort((a, b) => a.code.localeCompare(b.code));
}

/** Anchor of a code's entry in docs/errors.md. */
export function docsLink(info: ErrorCodeInfo): string {
  return `docs/errors.md#${info.code.toLowerCase()}`;
}
