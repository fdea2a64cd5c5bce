// Checks of the names a scenario refers to (templates) and defines (phases). They run on the
// raw document, even when other fields are malformed, because misspelt and repeated names are
// the most common mistakes and deserve to be reported in the same pass as everything else.

import { ErrorCodes } from '../errors/codes.js';
import type { Diagnostic } from '../errors/diagnostic.js';
import { didYouMean } from '../util/suggest.js';
import { isTemplateName, TEMPLATE_NAMES } from '../workload/template-catalog.js';
import { formatPath, locate, type PathSegment } from './positions.js';
import type { ScenarioSource } from './yaml-source.js';

function named(list: unknown): Array<[string, number]> {
  if (!Array.isArray(list)) return [];
  return list.flatMap((item: unknown, i) => {
    const name = (item as { name?: unknown } | null)?.name;
    return typeof name === 'string' ? [[name, i] as [string, number]] : [];
  });
}

export function checkNames(source: ScenarioSource, raw: Record<string, unknown>): Diagnostic[] {
  const out: Diagnostic[] = [];
  const add = (path: PathSegment[], message: string, extra: { expected?: string; hint?: string }) => {
    const pos = locate(source, path);
    out.push({
      code: ErrorCodes.ScenarioSemantic,
      severity: 'error',
      file: source.file,
      ...(pos ? { line: pos.line, column: pos.column } : {}),
      path: formatPath(path),
      message,
      ...extra,
    });
  };

  const templates = named((raw.workload as { templates?: unknown } | undefined)?.templates);
  const seenTemplates = new Map<string, number>();
  for (const [name, i] of templates) {
    const path: PathSegment[] = ['workload', 'templates', i, 'name'];
    if (!isTemplateName(name)) {
      add(path, `unknown template '${name}'${didYouMean(name, TEMPLATE_NAMES)}`, { expected: `one of ${TEMPLATE_NAMES.join(', ')}` });
    }
    const earlier = seenTemplates.get(name);
    if (earlier === undefined) seenTemplates.set(name, i);
    else add(path, `template '${name}' is listed twice (also workload.templates[${earlier}])`, { hint: 'list each template once and add the weights together' });
  }

  const seenPhases = new Map<string, number>();
  for (const [name, i] of named(raw.phases)) {
    const earlier = seenPhases.get(name);
    if (earlier === undefined) seenPhases.set(name, i);
    else add(['phases', i, 'name'], `phase name '${name}' is used twice (also phases[${earlier}])`, { hint: 'phase names appear in reports and must be unique' });
  }
  return out;
}
