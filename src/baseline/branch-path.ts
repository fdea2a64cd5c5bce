// How a branch name becomes the name of its folder in a baseline store, and back. Branch names
// come from users and CI, so they are checked here before any of them reaches a file path.
//
// The mapping is flat and reversible: every character outside [A-Za-z0-9._-] is written as %XX
// (each UTF-8 byte), so `feature/x` is the folder `feature%2Fx`. One folder per branch, never a
// nested one: no branch can reach outside the store, and `feature` and `feature/x` stay apart.

import { ErrorCodes } from '../errors/codes.js';
import { GasHammerError } from '../errors/gashammer-error.js';

/** Longer names would make folder names past common file-system limits once encoded. */
export const MAX_BRANCH_LENGTH = 200;

const PLAIN = /[A-Za-z0-9._-]/;
// eslint-disable-next-line no-control-regex -- control characters are what this rejects
const CONTROL = /[\u0000-\u001f\u007f]/;

function reject(branch: string, why: string): never {
  throw new GasHammerError(ErrorCodes.BaselineBranch, `branch '${branch.replace(CONTROL, '?')}' ${why}`);
}

/** Checks a branch name and returns it unchanged; throws GH-E802 saying what is wrong. */
export function checkBranchName(branch: string): string {
  if (branch.length === 0) reject(branch, 'is empty');
  if (branch.length > MAX_BRANCH_LENGTH) reject(branch.slice(0, 40) + '...', `is longer than ${MAX_BRANCH_LENGTH} characters`);
  if (CONTROL.test(branch)) reject(branch, 'contains a control character');
  if (branch.startsWith('/') || branch.startsWith('\\') || /^[A-Za-z]:/.test(branch)) reject(branch, 'is an absolute path, not a branch name');
  for (const part of branch.split('/')) {
    if (part === '') reject(branch, "has an empty part (a leading, trailing or doubled '/')");
    if (part === '.' || part === '..') reject(branch, `has a '${part}' part`);
  }
  if (branch.includes('..')) reject(branch, "contains '..'");
  return branch;
}

/** The folder name of a branch in a store: `main` -> `main`, `feature/x` -> `feature%2Fx`. */
export function branchFolderName(branch: string): string {
  checkBranchName(branch);
  let out = '';
  for (const ch of branch) {
    if (PLAIN.test(ch)) {
      out += ch;
      continue;
    }
    for (const byte of new TextEncoder().encode(ch)) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The branch a folder holds, or undefined when the folder name is not one branchFolderName writes. */
export function branchFromFolderName(folder: string): string | undefined {
  if (!/^(?:[A-Za-z0-9._-]|%[0-9A-F]{2})+$/.test(folder)) return undefined;
  try {
    const branch = decodeURIComponent(folder);
    return branchFolderName(branch) === folder ? branch : undefined;
  } catch {
    return undefined;
  }
}
