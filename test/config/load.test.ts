import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  configError,
  loadConfig,
  loadEdgeConfig,
  loadHiveConfig,
  NON_CONFIG_ENV_VARS,
  type ConfigLoadOptions,
} from '../../src/config/load.js';
import { configFields, envVarName } from '../../src/config/schema.js';
import { formatDiagnostic, type Diagnostic } from '../../src/errors/diagnostic.js';
import { isGasHammerError } from '../../src/errors/gashammer-error.js';
import { clearRegisteredSecrets, redact } from '../../src/util/redact.js';

let dir: string;
let counter = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gh-config-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

afterEach(() => {
  clearRegisteredSecrets();
});

/** A fresh directory holding `name` with `text`; returns the directory. */
async function withFile(name: string, text: string): Promise<string> {
  const cwd = join(dir, `case-${++counter}`);
  await mkdir(cwd);
  await writeFile(join(cwd, name), text);
  return cwd;
}

async function emptyDir(): Promise<string> {
  const cwd = join(dir, `case-${++counter}`);
  await mkdir(cwd);
  return cwd;
}

async function problems(kind: 'hive' | 'edge', options: ConfigLoadOptions): Promise<Diagnostic[]> {
  const result = await loadConfig(kind, options);
  if (result.ok) throw new Error('expected the configuration to be rejected');
  return result.diagnostics.filter((d) => d.severity === 'error');
}

describe('defaults', () => {
  it('loads with no file, env or flags', async () => {
    const cwd = await emptyDir();
    const hive = await loadHiveConfig({ cwd, env: {} });
    expect(hive.file).toBeUndefined();
    expect(hive.config.server).toEqual({ bind_address: '127.0.0.1', rest_port: 8080, grpc_port: 9090 });
    expect(hive.config.storage).toEqual({
      data_dir: '/var/lib/gashammer',
      parquet_rotation_size_mb: 256,
      parquet_rotation_interval_secs: 3600,
    });
    expect(hive.config.telemetry.prometheus_port).toBe(9091);
    expect(hive.config.logging).toEqual({ level: 'info', format: 'json' });
    expect(Object.values(hive.origins).every((o) => o === 'default')).toBe(true);

    const edge = await loadEdgeConfig({ cwd, env: {}, hostname: 'load-01.example.com' });
    expect(edge.config.edge).toEqual({ name: 'edge-load-01-example-com' });
    expect(edge.config.hive.address).toBe('localhost:9090');
    expect(edge.config.nitro.sequencer_rpc).toBeUndefined();
    expect(edge.config.nitro.rpc).toEqual({ timeout_ms: 5000, max_retries: 3, connection_pool_size: 64 });
    expect(edge.config.accounts).toEqual({
      mnemonic: 'test test test test test test test test test test test junk',
      count: 100,
      derivation_base: "m/44'/60'/0'/0'/18248",
    });
    expect(edge.config.telemetry).toEqual({ buffer_size: 65536, batch_size: 1024, flush_interval_ms: 1000, prometheus_port: 9092 });
  });

  it('sanitises the host name into a valid edge name', async () => {
    const edge = await loadEdgeConfig({ cwd: await emptyDir(), env: {}, hostname: 'büro box_7' });
    expect(edge.config.edge.name).toBe('edge-b-ro-box_7');
  });

  it('reads <kind>.toml from the working directory when no --config is given', async () => {
    const cwd = await withFile('hive.toml', '[server]\nrest_port = 8181\n');
    const hive = await loadHiveConfig({ cwd, env: {} });
    expect(hive.file).toBe('hive.toml');
    expect(hive.config.server.rest_port).toBe(8181);
    expect(hive.sources['server.rest_port']).toBe('hive.toml:2:1');
  });
});

describe('layering: default < file < env < flag', () => {
  const file = '[server]\nrest_port = 8001\ngrpc_port = 8002\nbind_address = "10.0.0.1"\n';
  const env = { GASHAMMER_SERVER_GRPC_PORT: '8003', GASHAMMER_SERVER_BIND_ADDRESS: '10.0.0.2' };
  const flags = { 'server.bind_address': '10.0.0.3' };

  it('each layer wins over the ones before it', async () => {
    const cwd = await withFile('custom.toml', file);
    const hive = await loadHiveConfig({ cwd, configPath: 'custom.toml', env, flags });
    // storage.data_dir: only the default; rest_port: file; grpc_port: file then env; bind: all four.
    expect(hive.config.storage.data_dir).toBe('/var/lib/gashammer');
    expect(hive.origins['storage.data_dir']).toBe('default');
    expect(hive.config.server.rest_port).toBe(8001);
    expect(hive.origins['server.rest_port']).toBe('file');
    expect(hive.config.server.grpc_port).toBe(8003);
    expect(hive.origins['server.grpc_port']).toBe('env');
    expect(hive.sources['server.grpc_port']).toBe('env GASHAMMER_SERVER_GRPC_PORT');
    expect(hive.config.server.bind_address).toBe('10.0.0.3');
    expect(hive.origins['server.bind_address']).toBe('flag');
    expect(hive.sources['server.bind_address']).toBe('flag --bind');
  });

  it('without the flag, env wins; without env, the file wins', async () => {
    const cwd = await withFile('custom.toml', file);
    const noFlag = await loadHiveConfig({ cwd, configPath: 'custom.toml', env });
    expect(noFlag.config.server.bind_address).toBe('10.0.0.2');
    const noEnv = await loadHiveConfig({ cwd, configPath: 'custom.toml', env: {} });
    expect(noEnv.config.server.bind_address).toBe('10.0.0.1');
    expect(noEnv.config.server.grpc_port).toBe(8002);
  });

  it('flags are coerced and validated like env values', async () => {
    const cwd = await emptyDir();
    const edge = await loadEdgeConfig({ cwd, env: {}, flags: { 'accounts.count': '7', 'hive.address': 'hive:7000' } });
    expect(edge.config.accounts.count).toBe(7);
    expect(edge.config.hive.address).toBe('hive:7000');
    const bad = await problems('edge', { cwd, env: {}, flags: { 'accounts.count': '7x' } });
    expect(bad).toHaveLength(1);
    expect(bad[0]).toMatchObject({ file: 'flag --accounts', path: 'accounts.count' });
  });
});

describe('environment variables', () => {
  /** A valid value, unlike the default, for every field. */
  const samples: Record<string, string> = {
    'server.bind_address': '0.0.0.0',
    'server.rest_port': '8181',
    'server.grpc_port': '9191',
    'storage.data_dir': '/tmp/gh-data',
    'storage.parquet_rotation_size_mb': '64',
    'storage.parquet_rotation_interval_secs': '60',
    'server.advertise_address': 'hive.internal',
    'telemetry.prometheus_port': '9292',
    'logging.level': 'debug',
    'logging.format': 'pretty',
    'edge.name': 'edge-a',
    'edge.region': 'us-east',
    'hive.address': 'hive.internal:7000',
    'nitro.sequencer_rpc': 'http://seq:8547',
    'nitro.gateway_rpc': 'https://gw.example.com/rpc',
    'nitro.feed_relay': 'wss://feed.example.com',
    'nitro.rpc.timeout_ms': '1234',
    'nitro.rpc.max_retries': '0',
    'nitro.rpc.connection_pool_size': '8',
    'accounts.mnemonic': 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about',
    'accounts.count': '42',
    'accounts.derivation_base': "m/44'/60'/0'/0'/7",
    'telemetry.buffer_size': '2048',
    'telemetry.batch_size': '512',
    'telemetry.flush_interval_ms': '250',
  };

  it('the names given in the brief resolve to their fields', () => {
    expect(envVarName('nitro.sequencer_rpc')).toBe('GASHAMMER_NITRO_SEQUENCER_RPC');
    expect(envVarName('nitro.rpc.timeout_ms')).toBe('GASHAMMER_NITRO_RPC_TIMEOUT_MS');
    expect(envVarName('hive.address')).toBe('GASHAMMER_HIVE_ADDRESS');
    expect(envVarName('server.rest_port')).toBe('GASHAMMER_SERVER_REST_PORT');
  });

  for (const kind of ['hive', 'edge'] as const) {
    for (const field of configFields(kind)) {
      it(`${field.env} sets ${kind} ${field.path}`, async () => {
        const raw = samples[field.path];
        expect(raw, `no sample value for ${field.path}`).toBeDefined();
        const result = await loadConfig(kind, { cwd: await emptyDir(), env: { [field.env]: raw! } });
        if (!result.ok) throw new Error(result.diagnostics.map(formatDiagnostic).join('\n'));
        let value: unknown = result.config;
        for (const seg of field.path.split('.')) value = (value as Record<string, unknown>)[seg];
        expect(value).toBe(field.type === 'integer' ? Number(raw) : raw);
        expect(result.origins[field.path]).toBe('env');
        // Exactly one field changed: the variable names no other field.
        const changed = Object.entries(result.origins).filter(([, o]) => o !== 'default');
        expect(changed).toEqual([[field.path, 'env']]);
      });
    }
  }

  it('GASHAMMER_LOG_LEVEL and GASHAMMER_LOG_FORMAT are aliases of logging.level/format', async () => {
    const hive = await loadHiveConfig({ cwd: await emptyDir(), env: { GASHAMMER_LOG_LEVEL: 'warn', GASHAMMER_LOG_FORMAT: 'pretty' } });
    expect(hive.config.logging).toEqual({ level: 'warn', format: 'pretty' });
    expect(hive.sources['logging.level']).toBe('env GASHAMMER_LOG_LEVEL');
  });

  it('the long name wins over the alias, with a warning', async () => {
    const hive = await loadHiveConfig({
      cwd: await emptyDir(),
      env: { GASHAMMER_LOG_LEVEL: 'warn', GASHAMMER_LOGGING_LEVEL: 'error' },
    });
    expect(hive.config.logging.level).toBe('error');
    expect(hive.warnings.map((w) => w.file)).toContain('env GASHAMMER_LOG_LEVEL');
  });

  it('an empty variable counts as unset', async () => {
    const cwd = await withFile('hive.toml', '[server]\nrest_port = 8181\n');
    const hive = await loadHiveConfig({ cwd, env: { GASHAMMER_SERVER_REST_PORT: '' } });
    expect(hive.config.server.rest_port).toBe(8181);
  });

  it.each(['12abc', '12.5', '0x10', '1e3', 'twelve', '99999999999999999999'])('rejects %j for an integer field', async (raw) => {
    const bad = await problems('hive', { cwd: await emptyDir(), env: { GASHAMMER_SERVER_REST_PORT: raw } });
    expect(bad).toHaveLength(1);
    expect(bad[0]).toMatchObject({ code: { code: 'GH-E002' }, file: 'env GASHAMMER_SERVER_REST_PORT', path: 'server.rest_port' });
  });

  it('accepts an integer with surrounding blanks, and range-checks it', async () => {
    const hive = await loadHiveConfig({ cwd: await emptyDir(), env: { GASHAMMER_SERVER_REST_PORT: ' 8081 ' } });
    expect(hive.config.server.rest_port).toBe(8081);
    const bad = await problems('hive', { cwd: await emptyDir(), env: { GASHAMMER_SERVER_REST_PORT: '70000' } });
    expect(bad[0]!.message).toBe('must be <= 65535, got 70000');
  });

  it('warns about an unknown GASHAMMER_ variable, with a suggestion', async () => {
    const edge = await loadEdgeConfig({ cwd: await emptyDir(), env: { GASHAMMER_NITRO_SEQUENCR_RPC: 'http://x:1' } });
    expect(edge.warnings).toHaveLength(1);
    expect(edge.warnings[0]).toMatchObject({ severity: 'warning', path: 'GASHAMMER_NITRO_SEQUENCR_RPC' });
    expect(edge.warnings[0]!.message).toContain("did you mean 'GASHAMMER_NITRO_SEQUENCER_RPC'?");
    expect(edge.config.nitro.sequencer_rpc).toBeUndefined();
  });

  it('does not warn about the allow-listed variables, other processes\' variables, or non-GasHammer ones', async () => {
    expect(NON_CONFIG_ENV_VARS).toContain('GASHAMMER_FUNDER_KEY');
    const hive = await loadHiveConfig({
      cwd: await emptyDir(),
      env: { GASHAMMER_FUNDER_KEY: '0xabc', GASHAMMER_NITRO_SEQUENCER_RPC: 'http://x:1', HOME: '/root' },
    });
    expect(hive.warnings).toEqual([]);
  });
});

describe('file problems', () => {
  it('reports an unknown key with a suggestion and its line:col', async () => {
    const cwd = await withFile('hive.toml', '[server]\nbind_address = "0.0.0.0"\n  rest_prot = 8081\n');
    const bad = await problems('hive', { cwd, env: {} });
    expect(bad).toHaveLength(1);
    expect(bad[0]).toMatchObject({ code: { code: 'GH-E002' }, file: 'hive.toml', line: 3, column: 3, path: 'server.rest_prot' });
    expect(bad[0]!.message).toBe("unknown field 'rest_prot' (did you mean 'rest_port'?)");
  });

  it('reports an unknown section at its header', async () => {
    const cwd = await withFile('edge.toml', '[edge]\nname = "a"\n\n[nitros]\nsequencer_rpc = "http://x:1"\n');
    const bad = await problems('edge', { cwd, env: {} });
    expect(bad).toHaveLength(1);
    expect(bad[0]).toMatchObject({ line: 4, column: 1, path: 'nitros' });
    expect(bad[0]!.message).toContain("did you mean 'nitro'?");
  });

  it('says where a misplaced key belongs', async () => {
    const cwd = await withFile('edge.toml', '[nitro]\ntimeout_ms = 100\n');
    const bad = await problems('edge', { cwd, env: {} });
    expect(bad[0]).toMatchObject({ line: 2, path: 'nitro.timeout_ms', hint: "'timeout_ms' belongs in [nitro.rpc]" });
  });

  it('reports a TOML syntax error as GH-E001 at line:col', async () => {
    const cwd = await withFile('hive.toml', '[server]\nrest_port = 8080\ngrpc_port = = 9090\n');
    const bad = await problems('hive', { cwd, env: {} });
    expect(bad).toHaveLength(1);
    expect(bad[0]).toMatchObject({ code: { code: 'GH-E001' }, file: 'hive.toml', line: 3, column: 13 });
    expect(bad[0]!.message).toMatch(/^invalid TOML: /);
  });

  it('reports a missing --config file as GH-E001', async () => {
    const bad = await problems('hive', { cwd: await emptyDir(), configPath: 'nope/hive.toml', env: {} });
    expect(bad).toEqual([expect.objectContaining({ code: expect.objectContaining({ code: 'GH-E001' }), file: 'nope/hive.toml', message: 'no such file' })]);
  });

  it('reports a directory given as --config as GH-E001', async () => {
    const cwd = await emptyDir();
    const bad = await problems('hive', { cwd, configPath: '.', env: {} });
    expect(bad[0]).toMatchObject({ code: { code: 'GH-E001' }, message: 'is a directory, not a configuration file' });
  });

  it('locates values inside inline tables and reports type errors with a hint', async () => {
    const cwd = await withFile('edge.toml', '[nitro]\nrpc = { timeout_ms = "100" }\n');
    const bad = await problems('edge', { cwd, env: {} });
    expect(bad[0]).toMatchObject({ line: 2, path: 'nitro.rpc.timeout_ms', hint: 'remove the quotes: timeout_ms = 100' });
    expect(bad[0]!.message).toBe('expected a whole number, got a string ("100")');
  });

  it('rejects a TOML date where a string belongs', async () => {
    const cwd = await withFile('hive.toml', '[storage]\ndata_dir = 1979-05-27\n');
    const bad = await problems('hive', { cwd, env: {} });
    expect(bad[0]!.message).toMatch(/^expected a string, got a date/);
  });
});

describe('value problems', () => {
  it.each([
    ['nitro.sequencer_rpc', 'localhost:8547', 'is not valid here'],
    ['nitro.sequencer_rpc', 'http://[oops', 'is not a valid URL'],
    ['nitro.gateway_rpc', 'ws://gw:8547', 'is not valid here'],
    ['nitro.feed_relay', 'http://feed:9642', 'is not valid here'],
  ])('rejects %s = %j', async (path, value, words) => {
    const bad = await problems('edge', { cwd: await emptyDir(), env: {}, flags: { [path]: value } });
    expect(bad).toHaveLength(1);
    expect(bad[0]!.path).toBe(path);
    expect(bad[0]!.message).toContain(words);
  });

  it('rejects a hive address with a scheme or a bad port', async () => {
    const scheme = await problems('edge', { cwd: await emptyDir(), env: { GASHAMMER_HIVE_ADDRESS: 'http://hive:9090' } });
    expect(scheme[0]!.hint).toContain('without a scheme');
    const port = await problems('edge', { cwd: await emptyDir(), env: { GASHAMMER_HIVE_ADDRESS: 'hive:99999' } });
    expect(port[0]!.message).toBe('port 99999 is out of range');
  });

  it('accepts hex segments in the derivation path and stores them in decimal', async () => {
    const cwd = await withFile('edge.toml', `[accounts]\nderivation_base = "m/44'/60'/0'/0'/0x4748"\n`);
    const edge = await loadEdgeConfig({ cwd, env: {} });
    expect(edge.config.accounts.derivation_base).toBe("m/44'/60'/0'/0'/18248");
  });

  it.each(["44'/60'", 'm/', "m/44''/0", 'm/abc', 'm/2147483648'])('rejects the derivation path %j', async (path) => {
    const bad = await problems('edge', { cwd: await emptyDir(), env: { GASHAMMER_ACCOUNTS_DERIVATION_BASE: path } });
    expect(bad).toHaveLength(1);
    expect(bad[0]!.path).toBe('accounts.derivation_base');
  });

  it('rejects clashing hive ports and a batch larger than the buffer', async () => {
    const hive = await problems('hive', { cwd: await emptyDir(), env: {}, flags: { 'server.grpc_port': '8080' } });
    expect(hive).toEqual([expect.objectContaining({ path: 'server.grpc_port', message: 'port 8080 is also server.rest_port' })]);
    const edge = await problems('edge', { cwd: await emptyDir(), env: { GASHAMMER_TELEMETRY_BATCH_SIZE: '100000' } });
    expect(edge[0]!.path).toBe('telemetry.batch_size');
  });

  it('reports every problem at once, from every layer', async () => {
    const cwd = await withFile(
      'edge.toml',
      ['[edge]', 'name = "bad name"', '[accounts]', 'count = 0', 'extra = 1', '[logging]', 'level = "verbose"'].join('\n'),
    );
    const result = await loadConfig('edge', {
      cwd,
      env: { GASHAMMER_NITRO_RPC_TIMEOUT_MS: '5s' },
      flags: { 'nitro.feed_relay': 'feed:9642' },
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const where = result.diagnostics.map((d) => `${d.file ?? ''}:${d.line ?? ''} ${d.path ?? ''}`);
    expect(where).toEqual([
      'edge.toml:2 edge.name',
      'edge.toml:4 accounts.count',
      'edge.toml:5 accounts.extra',
      'edge.toml:7 logging.level',
      'env GASHAMMER_NITRO_RPC_TIMEOUT_MS: nitro.rpc.timeout_ms',
      'flag --feed-relay: nitro.feed_relay',
    ]);
    expect(result.diagnostics.find((d) => d.path === 'logging.level')!.message).toContain('"verbose" is not allowed here');

    const error = configError('edge', result.diagnostics);
    expect(error.code).toBe('GH-E002');
    expect(error.diagnostics).toHaveLength(6);
    await expect(loadEdgeConfig({ cwd, env: {} })).rejects.toSatisfy(
      (e: unknown) => isGasHammerError(e) && e.diagnostics.length === 4 && e.render().includes('GH-E002 edge.toml:4:1 accounts.count'),
    );
  });
});

describe('secrets never appear in diagnostics', () => {
  const mnemonic = 'legal winner thank year wave sausage worth useful legal winner thank';
  const secrets = ['sausage', 'hunter22', 's3cr3tpw', 'pa55word', 'KEY123456789', 'carolpw9'];

  function assertClean(texts: readonly string[]): void {
    const all = texts.join('\n');
    for (const s of secrets) expect(all).not.toContain(s);
  }

  it('hides the mnemonic and URL credentials from every layer', async () => {
    const cwd = await withFile(
      'edge.toml',
      [
        '[nitro]',
        'sequencer_rpc = "https://alice:s3cr3tpw@rpc.example.com/?apikey=KEY123456789"',
        'gateway_rpc = "http://bob:pa55word@[bad"',
        'feed_relay = "https://dave:hunter22@feed.example.com"',
        '[hive]',
        'address = "http://carol:carolpw9@hive:9090"',
        '[accounts]',
        `mnemonic = "${mnemonic}"`,
      ].join('\n'),
    );
    const result = await loadConfig('edge', { cwd, env: {} });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    // One problem per bad field; the good sequencer URL passes.
    expect(result.diagnostics.map((d) => d.path).sort()).toEqual(['accounts.mnemonic', 'hive.address', 'nitro.feed_relay', 'nitro.gateway_rpc']);
    assertClean(result.diagnostics.map(formatDiagnostic));
    assertClean([configError('edge', result.diagnostics).render()]);
    // The mnemonic was registered: redact() removes it from anything else printed later.
    expect(redact(`x ${mnemonic} y`)).toBe('x *** y');
  });

  it('hides a mnemonic of the wrong type, and the mnemonic in env', async () => {
    const cwd = await withFile('edge.toml', '[accounts]\nmnemonic = 424242\n');
    const bad = await problems('edge', { cwd, env: {} });
    expect(formatDiagnostic(bad[0]!)).not.toContain('424242');
    const env = await problems('edge', { cwd: await emptyDir(), env: { GASHAMMER_ACCOUNTS_MNEMONIC: 'sausage only' } });
    assertClean(env.map(formatDiagnostic));
  });

  it('does not quote the file in a TOML syntax error', async () => {
    const cwd = await withFile('edge.toml', `[accounts]\nmnemonic = "${mnemonic}\ncount = 1\n`);
    const bad = await problems('edge', { cwd, env: {} });
    expect(bad[0]!.code.code).toBe('GH-E001');
    assertClean(bad.map(formatDiagnostic));
  });

  it('does not register the public test mnemonic as a secret', async () => {
    await loadEdgeConfig({ cwd: await emptyDir(), env: {} });
    expect(redact('test test test test test test test test test test test junk')).toContain('junk');
  });
});
