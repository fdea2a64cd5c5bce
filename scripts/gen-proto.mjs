// Generates the typed protobuf code of proto/gashammer/v1/*.proto into src/proto/ with protoc
// (Debian's protobuf-compiler) and the pinned ts-proto plugin. The output is committed, so a
// build needs no protoc; `--check` regenerates into a temporary folder and exits 1 when the
// committed code differs, which keeps it reproducible from the .proto files.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, mkdirSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const PROTO_DIR = 'proto';
const OUT_DIR = 'src/proto';

/** ts-proto settings: bigint for 64-bit fields, grpc-js services, tagged unions for oneofs. */
const TS_PROTO_OPTIONS = [
  'esModuleInterop=true',
  'env=node',
  'forceLong=bigint',
  'oneof=unions-value',
  'outputServices=grpc-js',
  'outputJsonMethods=false',
  'outputPartialMethods=false',
  'importSuffix=.js',
  'useDate=false',
].join(',');

function protoFiles(root) {
  const dir = join(root, PROTO_DIR, 'gashammer', 'v1');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.proto'))
    .sort()
    .map((f) => relative(join(root, PROTO_DIR), join(dir, f)));
}

function generate(root, outDir) {
  mkdirSync(outDir, { recursive: true });
  const plugin = join(root, 'node_modules', '.bin', 'protoc-gen-ts_proto');
  try {
    execFileSync('protoc', [`--plugin=protoc-gen-ts_proto=${plugin}`, `--ts_proto_out=${outDir}`, `--ts_proto_opt=${TS_PROTO_OPTIONS}`, `-I${join(root, PROTO_DIR)}`, ...protoFiles(root)], {
      cwd: root,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
  } catch (error) {
    if (error.code === 'ENOENT') {
      console.error('protoc not found: install Debian\'s protobuf-compiler (apt-get install protobuf-compiler)');
      process.exit(1);
    }
    throw error;
  }
}

function listFiles(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => relative(dir, join(d.parentPath, d.name)))
    .sort();
}

// A plain script (not compiled) because the build itself needs the generated code.
const root = dirname(dirname(fileURLToPath(import.meta.url)));
if (process.argv.includes('--check')) {
  const tmp = mkdtempSync(join(tmpdir(), 'gashammer-proto-'));
  try {
    generate(root, tmp);
    const fresh = listFiles(tmp);
    const committed = listFiles(join(root, OUT_DIR));
    const differing = [...new Set([...fresh, ...committed])].filter((f) => {
      if (!fresh.includes(f) || !committed.includes(f)) return true;
      return readFileSync(join(tmp, f), 'utf8') !== readFileSync(join(root, OUT_DIR, f), 'utf8');
    });
    if (differing.length > 0) {
      console.error(`${OUT_DIR} differs from what proto/ generates: ${differing.join(', ')}\nrun \`npm run proto:gen\` and commit the result`);
      process.exit(1);
    }
    console.log(`${OUT_DIR}: ${fresh.length} file(s) match proto/`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
} else {
  const tmp = mkdtempSync(join(tmpdir(), 'gashammer-proto-'));
  try {
    generate(root, tmp);
    rmSync(join(root, OUT_DIR), { recursive: true, force: true });
    cpSync(tmp, join(root, OUT_DIR), { recursive: true });
    console.log(`${OUT_DIR}: generated ${listFiles(tmp).length} file(s) from proto/`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
