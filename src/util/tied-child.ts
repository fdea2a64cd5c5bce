// Child processes that never outlive GasHammer: on Linux `setpriv --pdeathsig KILL` makes the
// kernel kill the child when its parent dies, even by SIGKILL, so an interrupted run leaves no
// anvil or edge process behind. Elsewhere the callers' exit hooks must do.

import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';

/** The command prefix that ties a child's life to this process, where the system has one. */
export function tiedLauncher(): { command: string; prefix: string[] } | undefined {
  if (process.platform !== 'linux') return undefined;
  for (const candidate of ['/usr/bin/setpriv', '/bin/setpriv']) {
    if (existsSync(candidate)) return { command: candidate, prefix: ['--pdeathsig', 'KILL', '--'] };
  }
  return undefined;
}

const tracked = new Set<ChildProcess>();
let hooked = false;

/**
 * Kills `child` with SIGKILL if this process exits while it still runs (the backstop where
 * pdeathsig is missing, and for a normal exit that forgot to stop it).
 */
export function killOnExit(child: ChildProcess): void {
  if (!hooked) {
    hooked = true;
    process.on('exit', () => {
      for (const c of tracked) c.kill('SIGKILL');
    });
  }
  tracked.add(child);
  child.once('exit', () => tracked.delete(child));
}
