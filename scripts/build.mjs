// Builds the package: compiles TypeScript to build/ and records the build's provenance
// (git commit and time) in build/build-info.json for `gashammer --version`.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });

let sha = 'unknown';
try {
  sha = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
} catch {
  // Not a git checkout (e.g. an unpacked tarball): the sha stays unknown.
}
// SOURCE_DATE_EPOCH makes the recorded time reproducible when a packager sets it.
const epoch = process.env.SOURCE_DATE_EPOCH;
const time = (epoch ? new Date(Number(epoch) * 1000) : new Date()).toISOString();
mkdirSync('build', { recursive: true });
writeFileSync('build/build-info.json', JSON.stringify({ sha, time }, null, 2) + '\n');
