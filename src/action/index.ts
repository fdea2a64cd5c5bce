// The Action's process: runs actionMain with the runner's environment, cancels the run cleanly
// when the job is cancelled (the runner sends SIGINT, then SIGTERM), and exits with its code.

import { actionMain } from './main.js';

const cancel = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => cancel.abort(signal));
process.exitCode = await actionMain(process.env, { signal: cancel.signal });
