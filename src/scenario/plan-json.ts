// The RunPlan as JSON: bigints as decimal strings, URLs redacted. This is what
// `gashammer plan --json` prints and what the hive stores with a run.

import type { RunPlan } from './compile.js';
import { redactDeep } from '../util/redact.js';

export function planToJson(plan: RunPlan): unknown {
  const withStrings = JSON.parse(JSON.stringify(plan, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value)));
  return redactDeep(withStrings);
}
