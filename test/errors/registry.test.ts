// The error-code registry: codes are unique, well-formed, inside their subsystem's range,
// and docs/errors.md and docs/scenario.schema.json match what the code generates.

import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allErrorCodes, ErrorCodes, SUBSYSTEM_RANGES } from '../../src/errors/codes.js';
import { GasHammerError, asGasHammerError } from '../../src/errors/gashammer-error.js';
import { errorsMarkdown, schemaJson } from '../../scripts/gen-docs.js';

const ROOT = resolve(import.meta.dirname, '../..');

describe('error codes', () => {
  it('are unique and of the form GH-Exxx', () => {
    const codes = allErrorCodes().map((c) => c.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(code).toMatch(/^GH-E\d{3}$/);
  });

  it('sit inside the range of their subsystem', () => {
    for (const info of allErrorCodes()) {
      const n = Number(info.code.slice(4));
      const [lo, hi] = SUBSYSTEM_RANGES[info.subsystem];
      expect(n, info.code).toBeGreaterThanOrEqual(lo);
      expect(n, info.code).toBeLessThanOrEqual(hi);
    }
  });

  it('each say what to do', () => {
    for (const info of allErrorCodes()) expect(info.hint.length, info.code).toBeGreaterThan(20);
  });
});

describe('GasHammerError', () => {
  it('renders code, message, hint and docs link without a stack', () => {
    const e = new GasHammerError(ErrorCodes.ScenarioRead, 'x.yaml: no such file', { details: 'looked in /tmp' });
    expect(e.render()).toBe(
      'GH-E900 x.yaml: no such file\n  looked in /tmp\n  hint: Check the path; a scenario is a UTF-8 YAML file of at most 1 MiB.\n  docs: docs/errors.md#gh-e900',
    );
    expect(e.code).toBe('GH-E900');
  });

  it('keeps the cause of a wrapped unexpected error and files it as internal', () => {
    const cause = new TypeError('boom');
    const e = asGasHammerError(cause);
    expect(e.code).toBe('GH-E004');
    expect(e.cause).toBe(cause);
    expect(asGasHammerError(e)).toBe(e);
  });
});

describe('generated docs', () => {
  it('docs/errors.md lists every code as the registry says', () => {
    const committed = readFileSync(join(ROOT, 'docs', 'errors.md'), 'utf8');
    expect(committed, 'docs/errors.md is stale: run `npm run gen:docs`').toBe(errorsMarkdown());
    for (const info of allErrorCodes()) expect(committed).toContain(`### ${info.code}`);
  });

  it('docs/scenario.schema.json is the schema the validator uses', () => {
    const committed = readFileSync(join(ROOT, 'docs', 'scenario.schema.json'), 'utf8');
    expect(committed, 'docs/scenario.schema.json is stale: run `npm run gen:docs`').toBe(schemaJson());
  });
});
