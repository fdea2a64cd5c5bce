// Compiles the devnet test contracts (contracts/*.sol) with the pinned solc-js and writes their
// ABIs and creation bytecode to src/devnet/contract-artifacts.ts, the one module the rest of
// GasHammer imports them from. `--check` compiles and exits 1 when the committed module differs.
//
// The output must be byte-identical on every machine: the compiler input names sources by
// their path relative to the package (never an absolute path), the metadata hash is left out of
// the bytecode, and everything is emitted in a fixed order.

import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { packageRoot } from '../src/util/build-info.js';

/** Where the generated module lives, relative to the package root. */
export const ARTIFACTS_MODULE = 'src/devnet/contract-artifacts.ts';
const CONTRACTS_DIR = 'contracts';

/** The compiler settings; changing any of them changes the bytecode. */
export const COMPILER_SETTINGS = {
  optimizer: { enabled: true, runs: 200 },
  // Nitro executes Cancun (it has MCOPY, TSTORE and PUSH0), and anvil's default is newer.
  evmVersion: 'cancun',
  // No IPFS/Swarm hash of the metadata at the end of the bytecode: it would change with any
  // comment or whitespace edit and tie the bytecode to the source text.
  metadata: { bytecodeHash: 'none' },
} as const;

interface SolcMessage {
  readonly severity: 'error' | 'warning' | 'info';
  readonly formattedMessage: string;
}

interface SolcOutput {
  readonly errors?: readonly SolcMessage[];
  readonly contracts?: Record<string, Record<string, { abi: unknown[]; evm: { bytecode: { object: string } } }>>;
}

/** The slice of solc-js this script uses (its own typings are all `any`). */
interface SolcJs {
  version(): string;
  compile(input: string, callbacks: { import: (path: string) => { contents: string } | { error: string } }): string;
}

export interface CompiledContract {
  readonly name: string;
  /** e.g. `contracts/Counter.sol` */
  readonly sourceName: string;
  readonly abi: readonly unknown[];
  /** Creation bytecode, 0x-prefixed. */
  readonly bytecode: `0x${string}`;
}

export interface CompileResult {
  readonly solcVersion: string;
  readonly contracts: readonly CompiledContract[];
  readonly warnings: readonly string[];
}

function loadSolc(): SolcJs {
  // solc-js is CommonJS; createRequire keeps this module ESM without a default-import shim.
  const require = createRequire(import.meta.url);
  return require('solc') as SolcJs;
}

/**
 * Resolves `import "@openzeppelin/..."` (and any other package import) from node_modules. The
 * import key solc sees stays the package path, so nothing machine-specific reaches the input.
 */
function importFromNodeModules(root: string): (path: string) => { contents: string } | { error: string } {
  const require = createRequire(join(root, 'package.json'));
  return (path) => {
    if (!path.startsWith('@openzeppelin/')) return { error: `import ${path} is not allowed: only @openzeppelin/* may be imported` };
    try {
      return { contents: readFileSync(require.resolve(path), 'utf8') };
    } catch (e) {
      return { error: `cannot resolve ${path}: ${e instanceof Error ? e.message : String(e)}` };
    }
  };
}

/** Compiles every contracts/*.sol; throws with solc's messages on any error. */
export function compileContracts(root: string = packageRoot()): CompileResult {
  const solc = loadSolc();
  const files = readdirSync(join(root, CONTRACTS_DIR))
    .filter((f) => f.endsWith('.sol'))
    .sort();
  const sources: Record<string, { content: string }> = {};
  for (const file of files) {
    sources[`${CONTRACTS_DIR}/${file}`] = { content: readFileSync(join(root, CONTRACTS_DIR, file), 'utf8') };
  }
  const outputSelection: Record<string, Record<string, string[]>> = {};
  for (const sourceName of Object.keys(sources)) outputSelection[sourceName] = { '*': ['abi', 'evm.bytecode.object'] };
  const input = { language: 'Solidity', sources, settings: { ...COMPILER_SETTINGS, outputSelection } };

  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: importFromNodeModules(root) })) as SolcOutput;
  const messages = output.errors ?? [];
  const errors = messages.filter((m) => m.severity === 'error');
  if (errors.length > 0) throw new Error(`solc reported ${errors.length} error(s):\n${errors.map((m) => m.formattedMessage).join('\n')}`);

  const contracts: CompiledContract[] = [];
  for (const sourceName of Object.keys(sources)) {
    const byName = output.contracts?.[sourceName] ?? {};
    for (const name of Object.keys(byName).sort()) {
      const compiled = byName[name]!;
      // Interfaces and abstract contracts have no bytecode; only deployable contracts are artifacts.
      if (compiled.evm.bytecode.object === '') continue;
      contracts.push({ name, sourceName, abi: compiled.abi, bytecode: `0x${compiled.evm.bytecode.object}` });
    }
  }
  return {
    solcVersion: solc.version(),
    contracts,
    warnings: messages.filter((m) => m.severity === 'warning').map((m) => m.formattedMessage),
  };
}

/** JSON with object keys sorted at every level, so the output never depends on solc's key order. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = canonical((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

function indent(text: string, by: string): string {
  return text.split('\n').join(`\n${by}`);
}

/** The text of src/devnet/contract-artifacts.ts for a compile result. */
export function renderArtifactsModule(result: CompileResult): string {
  const lines: string[] = [
    `// generated by scripts/build-contracts.ts from contracts/*.sol with solc ${result.solcVersion}; do not edit`,
    '// (run `npm run contracts:build`). Settings: optimizer on, 200 runs; evmVersion cancun; no metadata hash.',
    '',
    `export const SOLC_VERSION = '${result.solcVersion}';`,
    '',
  ];
  for (const c of result.contracts) {
    lines.push(
      `/** ${c.name} from ${c.sourceName}. */`,
      `export const ${c.name} = {`,
      `  contractName: '${c.name}',`,
      `  sourceName: '${c.sourceName}',`,
      `  abi: ${indent(JSON.stringify(canonical(c.abi), null, 2), '  ')},`,
      `  bytecode: '${c.bytecode}',`,
      '} as const;',
      '',
    );
  }
  lines.push(
    '/** Every compiled contract by name. */',
    'export const CONTRACT_ARTIFACTS = {',
    ...result.contracts.map((c) => `  ${c.name},`),
    '} as const;',
    '',
    'export type ContractName = keyof typeof CONTRACT_ARTIFACTS;',
    '',
  );
  return lines.join('\n');
}

function main(): void {
  const check = process.argv.includes('--check');
  const root = packageRoot();
  const started = performance.now();
  const result = compileContracts(root);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  for (const w of result.warnings) console.warn(w);
  const content = renderArtifactsModule(result);
  const file = join(root, ARTIFACTS_MODULE);
  let current = '';
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    // missing counts as stale
  }
  const summary = `${result.contracts.length} contracts, solc ${result.solcVersion}, ${seconds}s`;
  if (current === content) {
    console.log(`${ARTIFACTS_MODULE} is up to date (${summary})`);
  } else if (check) {
    console.error(`${ARTIFACTS_MODULE} is out of date: run \`npm run contracts:build\` (${summary})`);
    process.exitCode = 1;
  } else {
    writeFileSync(file, content);
    console.log(`wrote ${ARTIFACTS_MODULE} (${summary})`);
  }
}

if (process.argv[1]?.endsWith('build-contracts.js')) main();
