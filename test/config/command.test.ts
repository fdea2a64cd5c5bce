import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { registerConfigCommand } from '../../src/cli/commands/config.js';
import { ExitWith, type CliIO } from '../../src/cli/io.js';
import { isGasHammerError } from '../../src/errors/gashammer-error.js';
import { clearRegisteredSecrets } from '../../src/util/redact.js';

let cwd: string;

beforeAll(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'gh-config-cmd-'));
  await writeFile(
    join(cwd, 'edge.toml'),
    [
      '[edge]',
      'name = "edge-file"',
      '[nitro]',
      'sequencer_rpc = "https://user:t0psecretpw@rpc.example.com/v2/abcdefghijklmnopqrstuvwx0123"',
    ].join('\n'),
  );
  await writeFile(join(cwd, 'broken.toml'), '[server]\nrest_port = "eighty"\ngrpc_port = -1\n');
});

afterAll(async () => {
  await rm(cwd, { recursive: true, force: true });
});

afterEach(() => {
  clearRegisteredSecrets();
});

const MNEMONIC = 'legal winner thank year wave sausage worth useful legal winner thank yellow';

async function run(args: string[], env: Record<string, string> = {}): Promise<{ stdout: string; stderr: string; exit: number }> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env, cwd, isTTY: false };
  const program = new Command('gashammer').exitOverride();
  registerConfigCommand(program, io);
  try {
    await program.parseAsync(args, { from: 'user' });
    return { stdout, stderr, exit: 0 };
  } catch (e) {
    if (e instanceof ExitWith) return { stdout, stderr, exit: e.exitCode };
    throw e;
  }
}

describe('gashammer config', () => {
  it('prints the effective hive configuration as TOML', async () => {
    const { stdout, exit } = await run(['config', 'hive', '--rest-port', '8181']);
    expect(exit).toBe(0);
    expect(stdout).toContain('# effective hive configuration; no configuration file');
    expect(stdout).toContain('[server]\nbind_address = "127.0.0.1"\n# advertise_address is not set\nrest_port = 8181\ngrpc_port = 9090\n');
    expect(stdout).toContain('[logging]\nlevel = "info"\nformat = "json"\n');
  });

  it('shows where each value came from with --origin', async () => {
    const { stdout } = await run(['config', 'edge', '--accounts', '5', '--origin'], { GASHAMMER_HIVE_ADDRESS: 'hive:7000' });
    const line = (key: string) => stdout.split('\n').find((l) => l.startsWith(key)) ?? '';
    expect(line('name = ')).toMatch(/name = "edge-file"\s+# edge\.toml:2:1$/);
    expect(line('address = ')).toMatch(/address = "hive:7000"\s+# env GASHAMMER_HIVE_ADDRESS$/);
    expect(line('count = ')).toMatch(/count = 5\s+# flag --accounts$/);
    expect(line('timeout_ms = ')).toMatch(/timeout_ms = 5000\s+# default$/);
    expect(stdout).toMatch(/# gateway_rpc is not set\s+# default/);
  });

  it('prints JSON with --json, origins with --origin', async () => {
    const { stdout } = await run(['config', 'hive', '--json', '--origin', '--log-level', 'debug']);
    const parsed = JSON.parse(stdout) as {
      process: string;
      file: string | null;
      config: { logging: { level: string } };
      origins: Record<string, { origin: string; source: string }>;
    };
    expect(parsed.process).toBe('hive');
    expect(parsed.file).toBeNull();
    expect(parsed.config.logging.level).toBe('debug');
    expect(parsed.origins['logging.level']).toEqual({ origin: 'flag', source: 'flag --log-level' });
    expect(parsed.origins['server.rest_port']).toEqual({ origin: 'default', source: 'default' });
  });

  it('redacts the mnemonic and URL credentials in both formats', async () => {
    for (const format of [[], ['--json']]) {
      const { stdout } = await run(['config', 'edge', ...format], { GASHAMMER_ACCOUNTS_MNEMONIC: MNEMONIC });
      expect(stdout).not.toContain('sausage');
      expect(stdout).not.toContain('t0psecretpw');
      expect(stdout).not.toContain('abcdefghijklmnopqrstuvwx0123');
      expect(stdout).toContain('rpc.example.com');
      expect(stdout).toMatch(/"?mnemonic"?[ :=]+"\*\*\*"/);
    }
  });

  it('shows the public test mnemonic as it is', async () => {
    const { stdout } = await run(['config', 'edge']);
    expect(stdout).toContain('mnemonic = "test test test test test test test test test test test junk"');
  });

  it('prints every problem and exits 2 on an invalid configuration', async () => {
    const { stdout, stderr, exit } = await run(['config', 'hive', '--config', 'broken.toml', '--bind', 'not an address'], {
      GASHAMMER_LOG_FORMAT: 'yaml',
    });
    expect(exit).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('GH-E002 broken.toml:2:1 server.rest_port: expected a whole number, got a string ("eighty")');
    expect(stderr).toContain('GH-E002 broken.toml:3:1 server.grpc_port: must be >= 0, got -1');
    expect(stderr).toContain('GH-E002 flag --bind server.bind_address:');
    expect(stderr).toContain('GH-E002 env GASHAMMER_LOG_FORMAT logging.format:');
  });

  it('exits 2 on a missing --config file', async () => {
    const { stderr, exit } = await run(['config', 'edge', '--config', 'missing.toml']);
    expect(exit).toBe(2);
    expect(stderr).toContain('GH-E001 missing.toml no such file');
  });

  it('rejects a missing or unknown process with GH-E003', async () => {
    await expect(run(['config'])).rejects.toSatisfy((e: unknown) => isGasHammerError(e) && e.code === 'GH-E003');
    await expect(run(['config', 'hiv'])).rejects.toSatisfy(
      (e: unknown) => isGasHammerError(e) && e.shortMessage === "unknown process 'hiv' (did you mean 'hive'?)",
    );
  });

  it('prints warnings to stderr and still shows the configuration', async () => {
    const { stdout, stderr, exit } = await run(['config', 'hive'], { GASHAMMER_SERVER_RESTPORT: '1' });
    expect(exit).toBe(0);
    expect(stderr).toContain("warning GH-E002 GASHAMMER_SERVER_RESTPORT: is not a GasHammer setting and is ignored (did you mean 'GASHAMMER_SERVER_REST_PORT'?)");
    expect(stdout).toContain('rest_port = 8080');
  });
});
