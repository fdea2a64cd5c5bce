// Loading a scenario: file -> YAML -> schema -> typed value -> semantic checks, collecting
// every problem on the way. This is the SDL's one entry point for files and for text
// received over the API.

import { ErrorCodes } from '../errors/codes.js';
import { hasErrors, sortDiagnostics, type Diagnostic } from '../errors/diagnostic.js';
import { GasHammerError } from '../errors/gashammer-error.js';
import { checkNames } from './names.js';
import { normalizeScenario } from './normalize.js';
import { checkSemantics } from './semantic.js';
import { parseThresholds } from './thresholds.js';
import type { Scenario } from './types.js';
import { validateSchema } from './validate-schema.js';
import { parseScenarioText, readScenarioFile, type ScenarioSource, type SourceResult } from './yaml-source.js';

/** How many times aliases may be expanded in one document; scenarios need few, if any. */
const MAX_ALIAS_EXPANSIONS = 100;

export type LoadResult =
  | { readonly ok: true; readonly scenario: Scenario; readonly source: ScenarioSource; readonly warnings: Diagnostic[] }
  | { readonly ok: false; readonly diagnostics: Diagnostic[] };

function fromSource(parsed: SourceResult): LoadResult {
  if (!parsed.ok) return { ok: false, diagnostics: parsed.diagnostics };
  const source = parsed.source;
  let raw: Record<string, unknown>;
  try {
    raw = source.document.toJS({ maxAliasCount: MAX_ALIAS_EXPANSIONS }) as Record<string, unknown>;
  } catch (e) {
    // The yaml library refuses documents whose aliases expand too far ("billion laughs").
    const message = e instanceof Error ? e.message : String(e);
    return { ok: false, diagnostics: [{ code: ErrorCodes.ScenarioSyntax, severity: 'error', file: source.file, message: `cannot be expanded: ${message}` }] };
  }
  const schemaProblems = validateSchema(source, raw);
  const { thresholds, diagnostics: thresholdProblems } = parseThresholds(source, raw);
  const nameProblems = checkNames(source, raw);
  if (schemaProblems.length > 0) {
    // The remaining semantic checks need a well-formed scenario; report all we could check.
    return { ok: false, diagnostics: sortDiagnostics([...schemaProblems, ...thresholdProblems, ...nameProblems]) };
  }
  const scenario = normalizeScenario(raw, thresholds);
  const all = sortDiagnostics([...thresholdProblems, ...nameProblems, ...checkSemantics(source, scenario)]);
  if (hasErrors(all)) return { ok: false, diagnostics: all };
  return { ok: true, scenario, source, warnings: all };
}

export async function loadScenarioFile(file: string): Promise<LoadResult> {
  return fromSource(await readScenarioFile(file));
}

export function loadScenarioText(text: string, file = '<scenario>'): LoadResult {
  return fromSource(parseScenarioText(file, new TextEncoder().encode(text)));
}

/** One GasHammerError carrying every diagnostic of a scenario that did not load. */
export function scenarioError(file: string, diagnostics: readonly Diagnostic[]): GasHammerError {
  const first = diagnostics.find((d) => d.severity === 'error') ?? diagnostics[0];
  const count = diagnostics.filter((d) => d.severity === 'error').length;
  return new GasHammerError(first?.code ?? ErrorCodes.ScenarioSchema, `${file}: ${count} problem(s) in the scenario`, {
    diagnostics: [...diagnostics],
    hint: first?.code.hint,
  });
}

/** Loads or throws one GasHammerError carrying every diagnostic. */
export async function loadScenarioOrThrow(file: string): Promise<Extract<LoadResult, { ok: true }>> {
  const result = await loadScenarioFile(file);
  if (result.ok) return result;
  throw scenarioError(file, result.diagnostics);
}
