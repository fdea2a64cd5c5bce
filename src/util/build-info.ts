// Version and build provenance: the package version, and the git commit and time of the build
// (written to build/build-info.json by scripts/build.mjs; "unknown" when run from source).

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface BuildInfo {
  readonly name: 'GasHammer';
  readonly version: string;
  readonly buildSha: string;
  readonly buildTime: string;
  readonly license: 'Apache-2.0';
}

/** The package root: the nearest folder above this module holding package.json. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('package.json not found above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
  return dir;
}

let cached: BuildInfo | undefined;

export function buildInfo(): BuildInfo {
  if (cached) return cached;
  const root = packageRoot();
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  let sha = 'unknown';
  let time = 'unknown';
  const infoFile = join(root, 'build', 'build-info.json');
  if (existsSync(infoFile)) {
    const info = JSON.parse(readFileSync(infoFile, 'utf8')) as { sha?: string; time?: string };
    sha = info.sha ?? sha;
    time = info.time ?? time;
  }
  cached = { name: 'GasHammer', version: pkg.version, buildSha: sha, buildTime: time, license: 'Apache-2.0' };
  return cached;
}

/** `GasHammer/0.1.0 (abc1234)`: the User-Agent of every outbound request. */
export function userAgent(): string {
  const b = buildInfo();
  return `GasHammer/${b.version} (${b.buildSha.slice(0, 12)})`;
}
